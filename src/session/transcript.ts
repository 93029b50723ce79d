import { isMessageKey } from '../i18n/index.js';
import type { TranscriptEntry, TranscriptMessage } from './conversation-state.js';

/**
 * Inserts a message keeping each sender's own order (by their clock, then
 * their sequence number): a resent or history-replayed message lands where its
 * sender wrote it, not where it happened to arrive.
 */
export function insertMessage(entries: readonly TranscriptEntry[], message: TranscriptMessage): TranscriptEntry[] {
  const next = entries.slice();
  const after = (e: TranscriptEntry) =>
    e.kind === 'message' && e.from.id === message.from.id && (e.ts > message.ts || (e.ts === message.ts && e.seq > message.seq));
  const i = next.findIndex(after);
  if (i === -1) next.push(message);
  else next.splice(i, 0, message);
  return next;
}

/** Keeps transcripts across reloads and same-tab navigation. */
export interface TranscriptStore {
  load(conversationId: string): TranscriptEntry[] | undefined;
  save(conversationId: string, entries: readonly TranscriptEntry[]): void;
}

/** A TranscriptStore on sessionStorage (per tab, survives reloads), bounded in size. */
export function sessionTranscriptStore(maxEntries = 500): TranscriptStore {
  const key = (id: string) => `vc-transcript:${id}`;
  return {
    load(id) {
      try {
        const raw = globalThis.sessionStorage?.getItem(key(id));
        if (!raw) return undefined;
        const data: unknown = JSON.parse(raw);
        return Array.isArray(data) ? data.filter(isEntry).map(checkedCode) : undefined;
      } catch {
        return undefined;
      }
    },
    save(id, entries) {
      try {
        globalThis.sessionStorage?.setItem(key(id), JSON.stringify(entries.slice(-maxEntries)));
      } catch {
        // Storage full or disabled: history from the room still covers a reload.
      }
    },
  };
}

/**
 * A stored system line keeps its code only if it is one of this version's
 * messages with plain parameters; otherwise (an older page wrote no code, a
 * newer one a code this version lacks, or the storage was tampered with) it
 * renders its English text.
 */
function checkedCode(e: TranscriptEntry): TranscriptEntry {
  if (e.kind !== 'system' || (e.code === undefined && e.params === undefined)) return e;
  const params = e.params as unknown;
  const plain = (v: unknown) => typeof v === 'string' || typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
  const paramsOk = typeof params === 'object' && params !== null && !Array.isArray(params) && Object.values(params).every(plain);
  if (isMessageKey(e.code) && paramsOk) return e;
  return { kind: 'system', id: e.id, text: e.text, ts: e.ts };
}

function isEntry(e: unknown): e is TranscriptEntry {
  if (typeof e !== 'object' || e === null) return false;
  const o = e as Record<string, unknown>;
  if (typeof o.id !== 'string' || typeof o.ts !== 'number') return false;
  if (o.kind === 'page') return typeof o.url === 'string' && /^https?:/.test(o.url) && typeof o.host === 'string' && typeof o.opened === 'boolean';
  if (typeof o.text !== 'string') return false;
  if (o.kind === 'system') return true;
  const from = o.from as Record<string, unknown> | undefined;
  return o.kind === 'message' && typeof o.seq === 'number' && typeof from?.id === 'string' && typeof from.display === 'string';
}
