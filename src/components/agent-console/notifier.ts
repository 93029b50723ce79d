/**
 * How <agent-console> gets an agent's attention: a short chime (Web Audio,
 * mutable, the choice kept in localStorage) and a desktop Notification when
 * the tab is hidden and the agent has allowed notifications. The tab title
 * count is the element's (it renders it from its state).
 */

// Not a vc-* name: that prefix is for events (the manifest check reads it so).
const MUTED_KEY = 'vc.console.muted';
/** Chimes closer together than this are one chime (a burst of messages is one sound). */
const MIN_GAP_MS = 1200;

export type ChimeKind = 'waiting' | 'message';
export type NotificationPermissionState = NotificationPermission | 'unsupported';

export class ConsoleNotifier {
  private ctx?: AudioContext;
  private lastChime = 0;
  private _muted: boolean;

  constructor() {
    this._muted = read() === 'true';
  }

  get muted(): boolean {
    return this._muted;
  }

  set muted(muted: boolean) {
    this._muted = muted;
    try {
      globalThis.localStorage?.setItem(MUTED_KEY, String(muted));
    } catch {
      // Storage disabled: the choice holds for this page.
    }
  }

  /**
   * Plays the chime for a new customer (lower) or a new message (higher):
   * two short sine tones, about a quarter of a second. Returns whether it
   * played. Browsers start audio only after the page had a user gesture; the
   * agent has clicked (sign-in, claim) long before the first chime.
   */
  chime(kind: ChimeKind): boolean {
    if (this._muted || typeof AudioContext === 'undefined') return false;
    const now = Date.now();
    if (now - this.lastChime < MIN_GAP_MS) return false;
    this.lastChime = now;
    try {
      const ctx = (this.ctx ??= new AudioContext());
      if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
      const tones = kind === 'waiting' ? [587.33, 783.99] : [880, 1174.66];
      const t0 = ctx.currentTime + 0.01;
      tones.forEach((hz, i) => {
        const start = t0 + i * 0.13;
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'sine';
        osc.frequency.value = hz;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.18, start + 0.015);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.12);
        osc.connect(gain).connect(ctx.destination);
        osc.start(start);
        osc.stop(start + 0.13);
      });
      return true;
    } catch {
      return false;
    }
  }

  /** Whether desktop notifications can be shown, are still to be asked for, or were refused. */
  get permission(): NotificationPermissionState {
    return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
  }

  /** Asks the browser (only ever call this from a click: browsers ignore or punish asking unprompted). */
  async requestPermission(): Promise<NotificationPermissionState> {
    if (typeof Notification === 'undefined') return 'unsupported';
    try {
      return await Notification.requestPermission();
    } catch {
      return Notification.permission;
    }
  }

  /**
   * A desktop notification, only while the tab is hidden and the agent
   * allowed them. `tag` replaces an older one of the same conversation.
   * Silent: the chime is the sound.
   */
  desktop(title: string, body: string, tag: string, onClick: () => void): Notification | undefined {
    if (this.permission !== 'granted' || globalThis.document?.visibilityState !== 'hidden') return undefined;
    try {
      const n = new Notification(title, { body, tag, silent: true });
      n.onclick = () => {
        globalThis.focus?.();
        onClick();
        n.close();
      };
      return n;
    } catch {
      // Some browsers only allow notifications from a service worker.
      return undefined;
    }
  }

  dispose(): void {
    void this.ctx?.close().catch(() => {});
    this.ctx = undefined;
  }
}

function read(): string | null {
  try {
    return globalThis.localStorage?.getItem(MUTED_KEY) ?? null;
  } catch {
    return null;
  }
}
