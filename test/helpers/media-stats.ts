/** Real signals from RTCPeerConnection.getStats(), summed over a call's connections. */
export interface MediaCounters {
  framesDecoded: number;
  videoBytesReceived: number;
  audioBytesReceived: number;
  /** Loudest inbound audio level right now (0..1). */
  audioLevel: number;
  totalAudioEnergy: number;
  videoBytesSent: number;
  audioBytesSent: number;
}

export async function counters(pcs: RTCPeerConnection[]): Promise<MediaCounters> {
  const c: MediaCounters = { framesDecoded: 0, videoBytesReceived: 0, audioBytesReceived: 0, audioLevel: 0, totalAudioEnergy: 0, videoBytesSent: 0, audioBytesSent: 0 };
  for (const pc of pcs) {
    const report = await pc.getStats();
    report.forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        c.framesDecoded += Number(s.framesDecoded ?? 0);
        c.videoBytesReceived += Number(s.bytesReceived ?? 0);
      } else if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        c.audioBytesReceived += Number(s.bytesReceived ?? 0);
        c.audioLevel = Math.max(c.audioLevel, Number(s.audioLevel ?? 0));
        c.totalAudioEnergy += Number(s.totalAudioEnergy ?? 0);
      } else if (s.type === 'outbound-rtp' && s.kind === 'video') {
        c.videoBytesSent += Number(s.bytesSent ?? 0);
      } else if (s.type === 'outbound-rtp' && s.kind === 'audio') {
        c.audioBytesSent += Number(s.bytesSent ?? 0);
      }
    });
  }
  return c;
}

/** Counter growth over `ms`. */
export async function growth(pcs: () => RTCPeerConnection[], ms = 1500): Promise<MediaCounters> {
  const a = await counters(pcs());
  await new Promise((r) => setTimeout(r, ms));
  const b = await counters(pcs());
  return {
    framesDecoded: b.framesDecoded - a.framesDecoded,
    videoBytesReceived: b.videoBytesReceived - a.videoBytesReceived,
    audioBytesReceived: b.audioBytesReceived - a.audioBytesReceived,
    audioLevel: b.audioLevel,
    totalAudioEnergy: b.totalAudioEnergy - a.totalAudioEnergy,
    videoBytesSent: b.videoBytesSent - a.videoBytesSent,
    audioBytesSent: b.audioBytesSent - a.audioBytesSent,
  };
}

/**
 * Plays a stream into an <audio> element at full volume (headless: no
 * speakers): Chromium measures inbound audio levels at playout, after the
 * element's volume, as the real UI renders it.
 */
export function render(stream: MediaStream | undefined): () => void {
  if (!stream) return () => {};
  const el = document.createElement('audio');
  el.volume = 1;
  el.autoplay = true;
  el.srcObject = stream;
  document.body.append(el);
  void el.play().catch(() => {});
  return () => el.remove();
}
