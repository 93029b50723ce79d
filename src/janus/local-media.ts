import type { DeviceProblem } from './device-problem.js';

export { DEVICE_PROBLEM_TEXT, type DeviceProblem } from './device-problem.js';

export interface CaptureRequest {
  audio: boolean;
  video: boolean;
  audioDeviceId?: string;
  videoDeviceId?: string;
}

export interface CaptureResult {
  audio?: MediaStreamTrack;
  video?: MediaStreamTrack;
  problems: DeviceProblem[];
}

function classify(kind: 'camera' | 'microphone', err: unknown): DeviceProblem {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return `${kind}-denied`;
  if (name === 'NotReadableError' || name === 'AbortError' || name === 'TrackStartError') return `${kind}-busy`;
  return kind === 'camera' ? 'no-camera' : 'no-microphone';
}

export const VIDEO_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24, max: 30 } };

async function captureOne(kind: 'audio' | 'video', deviceId?: string): Promise<MediaStreamTrack> {
  const constraints: MediaStreamConstraints = kind === 'audio'
    ? { audio: deviceId ? { deviceId: { exact: deviceId } } : true }
    : { video: { ...VIDEO_CONSTRAINTS, ...(deviceId ? { deviceId: { exact: deviceId } } : {}) } };
  const stream = await navigator.mediaDevices.getUserMedia(constraints);
  const track = kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
  if (!track) throw new DOMException(`no ${kind} track`, 'NotFoundError');
  return track;
}

/**
 * Captures what the mode needs: both devices in one request (one prompt, one
 * round of device opening), and if that fails device by device, so a missing
 * or busy camera still leaves the microphone working (and the other way
 * round) and each problem is named.
 */
export async function capture(req: CaptureRequest): Promise<CaptureResult> {
  const result: CaptureResult = { problems: [] };
  if (!navigator.mediaDevices?.getUserMedia) {
    if (req.audio) result.problems.push('no-microphone');
    if (req.video) result.problems.push('no-camera');
    return result;
  }
  if (req.audio && req.video) {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: req.audioDeviceId ? { deviceId: { exact: req.audioDeviceId } } : true,
        video: { ...VIDEO_CONSTRAINTS, ...(req.videoDeviceId ? { deviceId: { exact: req.videoDeviceId } } : {}) },
      });
      const [audio] = stream.getAudioTracks();
      const [video] = stream.getVideoTracks();
      if (audio && video) return { audio, video, problems: [] };
      for (const t of stream.getTracks()) t.stop();
    } catch {
      // Find out which device it was, below.
    }
  }
  if (req.audio) {
    try {
      result.audio = await captureOne('audio', req.audioDeviceId);
    } catch (e) {
      result.problems.push(classify('microphone', e));
    }
  }
  if (req.video) {
    try {
      result.video = await captureOne('video', req.videoDeviceId);
    } catch (e) {
      result.problems.push(classify('camera', e));
    }
  }
  return result;
}

export async function captureVideo(deviceId?: string): Promise<MediaStreamTrack> {
  return captureOne('video', deviceId);
}

export async function captureAudio(deviceId?: string): Promise<MediaStreamTrack> {
  return captureOne('audio', deviceId);
}

export function classifyCameraError(e: unknown): DeviceProblem {
  return classify('camera', e);
}

export interface MediaDeviceChoice {
  deviceId: string;
  label: string;
}

export async function listDevices(): Promise<{ cameras: MediaDeviceChoice[]; microphones: MediaDeviceChoice[] }> {
  const all = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
  const pick = (kind: MediaDeviceKind, fallback: string) =>
    all.filter((d) => d.kind === kind && d.deviceId).map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${fallback} ${i + 1}` }));
  return { cameras: pick('videoinput', 'Camera'), microphones: pick('audioinput', 'Microphone') };
}
