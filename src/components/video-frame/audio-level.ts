import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** How often the level is read (ms): smooth enough for a meter, cheap enough for a whole day. */
const INTERVAL_MS = 100;

type AudioContextCtor = typeof AudioContext;

let shared: AudioContext | undefined;

/**
 * One AudioContext for every meter on the page (browsers limit how many may
 * run). Created on first use; a context the autoplay policy suspended is
 * resumed on the next click or key press anywhere on the page.
 */
function audioContext(): AudioContext | undefined {
  if (shared && shared.state !== 'closed') return shared;
  const Ctor = (globalThis as { AudioContext?: AudioContextCtor }).AudioContext;
  if (!Ctor) return undefined;
  try {
    shared = new Ctor();
  } catch {
    return undefined;
  }
  const ctx = shared;
  if (ctx.state === 'suspended') {
    const resume = () => {
      void ctx.resume().catch(() => {});
      if (ctx.state !== 'suspended') {
        removeEventListener('pointerdown', resume, true);
        removeEventListener('keydown', resume, true);
      }
    };
    void ctx.resume().catch(() => {});
    addEventListener('pointerdown', resume, true);
    addEventListener('keydown', resume, true);
  }
  return ctx;
}

interface Tap {
  track: MediaStreamTrack;
  source: MediaStreamAudioSourceNode;
  analyser: AnalyserNode;
  buffer: Float32Array<ArrayBuffer>;
}

/**
 * The loudness of a call's audio tracks, from a Web Audio analyser: what this
 * microphone really sends (a muted track reads silence) and what really
 * arrives from the other side. A Lit reactive controller: `watch(key, track)`
 * says which track each meter follows; every 100 ms the `<meter>`s of the
 * host's shadow root with `data-level=key` get their value (0..1) set
 * directly, without re-rendering the host.
 * Everything is released when the host leaves the page.
 */
export class AudioLevelController implements ReactiveController {
  private readonly taps = new Map<string, Tap>();
  private timer?: ReturnType<typeof setInterval>;
  private connected = false;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  /** Follows `track` under `key` (undefined, or a track that is not live, stops following). */
  watch(key: string, track: MediaStreamTrack | undefined): void {
    const tap = this.taps.get(key);
    const usable = track && track.readyState === 'live' ? track : undefined;
    if (tap?.track === usable) return;
    if (tap) this.release(key, tap);
    if (!usable || !this.connected) return;
    const ctx = audioContext();
    if (!ctx) return;
    try {
      const source = ctx.createMediaStreamSource(new MediaStream([usable]));
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 512;
      analyser.smoothingTimeConstant = 0.3;
      source.connect(analyser);
      this.taps.set(key, { track: usable, source, analyser, buffer: new Float32Array(analyser.fftSize) });
    } catch {
      return;
    }
    this.timer ??= setInterval(() => this.tick(), INTERVAL_MS);
  }

  /** The level under `key` right now, 0..1 (0 when nothing is followed). */
  level(key: string): number {
    const tap = this.taps.get(key);
    if (!tap || tap.track.readyState !== 'live') return 0;
    tap.analyser.getFloatTimeDomainData(tap.buffer);
    let sum = 0;
    for (const x of tap.buffer) sum += x * x;
    const rms = Math.sqrt(sum / tap.buffer.length);
    // Speech sits around 0.02–0.2 RMS: spread that over the meter.
    return Math.min(1, rms * 5);
  }

  hostConnected(): void {
    this.connected = true;
  }

  hostDisconnected(): void {
    this.connected = false;
    for (const [key, tap] of [...this.taps]) this.release(key, tap);
  }

  private release(key: string, tap: Tap): void {
    this.taps.delete(key);
    try {
      tap.source.disconnect();
      tap.analyser.disconnect();
    } catch { /* already disconnected */ }
    if (this.taps.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private tick(): void {
    const root = this.host.shadowRoot;
    if (!root) return;
    for (const key of this.taps.keys()) {
      const level = this.level(key);
      for (const el of root.querySelectorAll<HTMLMeterElement>(`meter[data-level="${key}"]`)) el.value = Math.round(level * 100) / 100;
    }
  }
}
