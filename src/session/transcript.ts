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
        return Array.isArray(data) ? data.filter(isEntry) : undefined;
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
