import type { VideoMode } from '../protocol/index.js';

/**
 * What the person at this browser agreed to, by their own click, in one
 * conversation. Nothing received over the wire ever writes it: a message can
 * only tell the UI what the other side asked for. It may be kept in this
 * browser's storage so a reload or a navigation keeps it, and it ends with the
 * conversation.
 *
 * Scopes: `media` is what may be captured for video: 'camera' (camera and
 * microphone: two-way, or one-way from the customer) or 'microphone' (watch
 * the other side, voice). `cobrowse`: this page may be recorded (masked) for
 * the agent. Remote control is not kept: it ends with the page that granted it.
 */
export interface ConsentRecord {
  media?: 'camera' | 'microphone';
  cobrowse?: boolean;
}

export interface ConsentStore {
  load(conversationId: string): ConsentRecord;
  save(conversationId: string, record: ConsentRecord): void;
  clear(conversationId: string): void;
}

/** The capture a mode needs from a participant in `role`: its camera and microphone, or its microphone only. */
export function mediaScope(role: 'agent' | 'customer', mode: VideoMode): 'camera' | 'microphone' {
  const sendsVideo = mode === 'two-way' || (mode === 'one-way-agent' && role === 'agent') || (mode === 'one-way-customer' && role === 'customer');
  return sendsVideo ? 'camera' : 'microphone';
}

/** Does consent to `given` cover `needed`? The camera scope includes the microphone. */
export function covers(given: ConsentRecord['media'], needed: 'camera' | 'microphone'): boolean {
  return given === 'camera' || (given === 'microphone' && needed === 'microphone');
}

/** The wider of two media scopes: a scope only ever widens by a click. */
export function widen(a: ConsentRecord['media'], b: 'camera' | 'microphone'): 'camera' | 'microphone' {
  return a === 'camera' || b === 'camera' ? 'camera' : 'microphone';
}

/** Consent for this page only (gone on reload). */
export function memoryConsentStore(): ConsentStore {
  const records = new Map<string, ConsentRecord>();
  return {
    load: (id) => ({ ...records.get(id) }),
    save: (id, r) => void records.set(id, { ...r }),
    clear: (id) => void records.delete(id),
  };
}

/** Consent kept in sessionStorage: this tab's reloads and same-tab navigations keep it. */
export function sessionConsentStore(): ConsentStore {
  const key = (id: string) => `vc-consent:${id}`;
  const fallback = memoryConsentStore();
  return {
    load(id) {
      try {
        const raw = globalThis.sessionStorage?.getItem(key(id));
        if (!raw) return fallback.load(id);
        const data = JSON.parse(raw) as Record<string, unknown> | null;
        const record: ConsentRecord = {};
        if (data?.media === 'camera' || data?.media === 'microphone') record.media = data.media;
        if (data?.cobrowse === true) record.cobrowse = true;
        return record;
      } catch {
        return fallback.load(id);
      }
    },
    save(id, record) {
      fallback.save(id, record);
      try {
        globalThis.sessionStorage?.setItem(key(id), JSON.stringify(record));
      } catch {
        // Storage blocked: consent lasts for this page only, which is the safe direction.
      }
    },
    clear(id) {
      fallback.clear(id);
      try {
        globalThis.sessionStorage?.removeItem(key(id));
      } catch {
        /* nothing kept */
      }
    },
  };
}
