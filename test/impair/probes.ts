// Call quality read in the pages, from the real getStats of the connections the
// page made (window.__vc.quality, installed by PROBES_SOURCE in
// test/e2e/page-probes.ts) and the remote <video> element the user sees.
import type { Page } from 'playwright-core';
import { PROBES_SOURCE } from '../e2e/page-probes.js';

export interface Quality {
  /** Page clock (ms since epoch) when read. */
  at: number;
  /** Receiver side: the remote video. */
  inVideo: {
    frameWidth: number | null;
    frameHeight: number | null;
    framesPerSecond: number | null;
    framesDecoded: number | null;
    freezeCount: number | null;
    totalFreezesDuration: number | null;
    packetsLost: number | null;
    bytesReceived: number | null;
  } | null;
  inAudio: { packetsReceived: number | null; packetsLost: number | null; concealedSamples: number | null; totalSamplesReceived: number | null } | null;
  /** Sender side: own video as sent. */
  outVideo: { frameHeight: number | null; framesPerSecond: number | null; qualityLimitationReason: string | null; targetBitrate: number | null; bytesSent: number | null } | null;
  pair: { availableOutgoingBitrate: number | null; currentRoundTripTime: number | null } | null;
  /** connectionState of each open RTCPeerConnection. */
  connections: string[];
  remoteVideo: { shown: boolean; frames: number } | null;
}

/** Installs the probes in every page of the page's context (before its scripts run). */
export async function installProbes(page: Page): Promise<void> {
  await page.context().addInitScript({ content: PROBES_SOURCE });
}

interface PageVc {
  __vc: { quality(): Promise<Quality> };
}

/** One sample; null when the page did not answer within `timeoutMs` (a busy renderer is a finding, not a crash). */
export async function readQuality(page: Page, timeoutMs = 2000): Promise<Quality | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      page.evaluate(() => (window as unknown as PageVc).__vc.quality()),
      new Promise<null>((r) => {
        timer = setTimeout(() => r(null), timeoutMs);
      }),
    ]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
