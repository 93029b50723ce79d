/**
 * Cobrowse batches on the wire: JSON → deflate-raw (native CompressionStream)
 * → base64 → slices small enough for one TextRoom message each. The agent
 * puts the slices of a batch back together in order, inflates (with a size
 * cap: recorded content is untrusted input) and checks the shape of the
 * events before anything is replayed.
 */
import { MAX_COBROWSE_CHUNK_DATA, MAX_COBROWSE_PARTS } from '../protocol/index.js';

export interface ChunkBody {
  stream: string;
  seq: number;
  part: number;
  parts: number;
  data: string;
}

/** rrweb event as far as this layer cares: a numeric type and a timestamp. */
export interface RecordedEvent {
  type: number;
  timestamp: number;
  data?: unknown;
  [key: string]: unknown;
}

/** base64 characters per chunk: leaves room for the envelope within 16 KiB. */
export const CHUNK_DATA_SIZE = 15 * 1024;
/** Largest batch we inflate (a decompression bomb stops here). */
export const MAX_INFLATED_BYTES = 32 * 1024 * 1024;
/** rrweb EventType values: DomContentLoaded … Asset. */
const MAX_EVENT_TYPE = 7;
export const EVENT_META = 4;
export const EVENT_FULL_SNAPSHOT = 2;
export const EVENT_INCREMENTAL = 3;

export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

async function transform(bytes: Uint8Array, stream: CompressionStream | DecompressionStream, maxBytes = Infinity): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  // Errors surface on the readable side; don't let these promises go unhandled.
  writer.write(bytes as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const out: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new CodecError(`batch inflates to more than ${maxBytes} bytes`);
    }
    out.push(value);
  }
  const result = new Uint8Array(total);
  let offset = 0;
  for (const c of out) {
    result.set(c, offset);
    offset += c.byteLength;
  }
  return result;
}

export function deflate(text: string): Promise<Uint8Array> {
  return transform(new TextEncoder().encode(text), new CompressionStream('deflate-raw'));
}

export async function inflate(bytes: Uint8Array, maxBytes = MAX_INFLATED_BYTES): Promise<string> {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(await transform(bytes, new DecompressionStream('deflate-raw'), maxBytes));
  } catch (e) {
    if (e instanceof CodecError) throw e;
    throw new CodecError(`batch does not inflate: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function fromBase64(text: string): Uint8Array {
  let bin: string;
  try {
    bin = atob(text);
  } catch {
    throw new CodecError('not base64');
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** One batch of events as the chunk bodies to send, in order. */
export async function encodeBatch(events: readonly unknown[], stream: string, seq: number, partSize = CHUNK_DATA_SIZE): Promise<ChunkBody[]> {
  if (partSize < 4 || partSize > MAX_COBROWSE_CHUNK_DATA) throw new RangeError(`part size must be 4..${MAX_COBROWSE_CHUNK_DATA}`);
  // Whole base64 quanta per part so every part is valid base64 on its own.
  const size = partSize - (partSize % 4);
  const data = toBase64(await deflate(JSON.stringify(events)));
  const parts = Math.max(1, Math.ceil(data.length / size));
  if (parts > MAX_COBROWSE_PARTS) throw new CodecError(`batch needs ${parts} parts, more than ${MAX_COBROWSE_PARTS}`);
  const out: ChunkBody[] = [];
  for (let part = 0; part < parts; part++) out.push({ stream, seq, part, parts, data: data.slice(part * size, (part + 1) * size) });
  return out;
}

function isEvent(e: unknown): e is RecordedEvent {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return false;
  const { type, timestamp } = e as { type: unknown; timestamp: unknown };
  return typeof type === 'number' && Number.isInteger(type) && type >= 0 && type <= MAX_EVENT_TYPE && typeof timestamp === 'number' && Number.isFinite(timestamp);
}

/** base64 of a whole batch → its events. Throws CodecError on anything malformed. */
export async function decodeBatch(data: string, maxBytes = MAX_INFLATED_BYTES): Promise<RecordedEvent[]> {
  const text = await inflate(fromBase64(data), maxBytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CodecError('batch is not JSON');
  }
  if (!Array.isArray(parsed)) throw new CodecError('batch is not a list of events');
  if (!parsed.every(isEvent)) throw new CodecError('batch holds something that is not an rrweb event');
  return parsed;
}

/** Index of the Meta event that starts a full snapshot in `events`, or -1. */
export function keyframeStart(events: readonly RecordedEvent[]): number {
  for (let i = 0; i < events.length - 1; i++) {
    if (events[i].type === EVENT_META && events[i + 1].type === EVENT_FULL_SNAPSHOT) return i;
  }
  return -1;
}

export type ReassemblyResult =
  | { kind: 'partial' }
  | { kind: 'batch'; stream: string; seq: number; data: string }
  /** Something went missing: the batch in progress (if any) is dropped. `chunk` may still have started a new one. */
  | { kind: 'gap'; stream: string; reason: string };

/**
 * Puts batches back together from chunks arriving in order (the TextRoom
 * data channel is ordered and reliable while it is up; a drop shows as a
 * part or seq that is not the next one).
 */
export class Reassembler {
  private current?: { stream: string; seq: number; parts: number; next: number; pieces: string[]; size: number };

  constructor(private readonly maxBatchChars = MAX_COBROWSE_PARTS * MAX_COBROWSE_CHUNK_DATA) {}

  /** Results in order: a `gap` for a batch cut short may come before the batch `chunk` completes. */
  push(chunk: ChunkBody): ReassemblyResult[] {
    const cur = this.current;
    if (cur && cur.stream === chunk.stream && cur.seq === chunk.seq) {
      if (chunk.parts !== cur.parts || chunk.part !== cur.next) {
        this.current = undefined;
        return [{ kind: 'gap', stream: chunk.stream, reason: `batch ${chunk.seq}: part ${chunk.part}/${chunk.parts} where ${cur.next}/${cur.parts} was due` }];
      }
      return [this.append(cur, chunk)];
    }
    const out: ReassemblyResult[] = [];
    if (cur) out.push({ kind: 'gap', stream: cur.stream, reason: `batch ${cur.seq} of ${cur.stream} ended after ${cur.next} of ${cur.parts} parts` });
    this.current = undefined;
    if (chunk.part !== 0) {
      out.push({ kind: 'gap', stream: chunk.stream, reason: `batch ${chunk.seq} started at part ${chunk.part}` });
      return out;
    }
    const fresh = { stream: chunk.stream, seq: chunk.seq, parts: chunk.parts, next: 0, pieces: [] as string[], size: 0 };
    this.current = fresh;
    out.push(this.append(fresh, chunk));
    return out;
  }

  /** Forgets the batch in progress. */
  reset(): void {
    this.current = undefined;
  }

  private append(cur: NonNullable<Reassembler['current']>, chunk: ChunkBody): ReassemblyResult {
    cur.pieces.push(chunk.data);
    cur.size += chunk.data.length;
    cur.next++;
    if (cur.size > this.maxBatchChars) {
      this.current = undefined;
      return { kind: 'gap', stream: cur.stream, reason: 'batch too large' };
    }
    if (cur.next < cur.parts) return { kind: 'partial' };
    this.current = undefined;
    return { kind: 'batch', stream: cur.stream, seq: cur.seq, data: cur.pieces.join('') };
  }
}

export type SequencerResult =
  /** A full snapshot: start the replay over from `events`. */
  | { kind: 'reset'; stream: string; events: RecordedEvent[] }
  /** The next batch of the stream being replayed. */
  | { kind: 'apply'; events: RecordedEvent[] }
  /** Already seen: ignore. */
  | { kind: 'stale' }
  /** Cannot be applied without what went missing: ask for a full snapshot. */
  | { kind: 'gap'; reason: string };

/**
 * Decides what a decoded batch means for the replay: a full snapshot
 * (re)starts it (a new page, or the answer to a resync), the next batch of
 * the current stream continues it, anything else is a gap that holds
 * everything back until the next full snapshot.
 */
export class BatchSequencer {
  private current?: { stream: string; next: number; broken: boolean };

  get stream(): string | undefined {
    return this.current?.stream;
  }

  /** True once a full snapshot has been seen and nothing went missing since. */
  get inSync(): boolean {
    return this.current !== undefined && !this.current.broken;
  }

  accept(stream: string, seq: number, events: RecordedEvent[]): SequencerResult {
    const k = keyframeStart(events);
    if (k >= 0) {
      this.current = { stream, next: seq + 1, broken: false };
      return { kind: 'reset', stream, events: events.slice(k) };
    }
    const cur = this.current;
    if (!cur) return { kind: 'gap', reason: 'no full snapshot yet' };
    if (cur.stream === stream && seq < cur.next) return { kind: 'stale' };
    if (cur.stream === stream && seq === cur.next && !cur.broken) {
      cur.next++;
      return { kind: 'apply', events };
    }
    cur.broken = true;
    if (cur.stream === stream) cur.next = Math.max(cur.next, seq + 1);
    return { kind: 'gap', reason: cur.stream !== stream ? `batch of unknown stream ${stream}` : `batch ${seq} while waiting for a full snapshot` };
  }

  /** Something was lost or could not be decoded: wait for the next full snapshot. */
  invalidate(): void {
    if (this.current) this.current.broken = true;
  }

  reset(): void {
    this.current = undefined;
  }
}
