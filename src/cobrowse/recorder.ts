/**
 * Customer side of cobrowse: records this document with rrweb (loaded on
 * first use, so pages that never cobrowse never download it), masks in the
 * page before anything is handed on (masking.ts), batches events every
 * `batchMs`, compresses and chunks them (codec.ts) and hands the chunks over
 * in order. A full snapshot always starts a batch of its own, so the agent
 * can pick up from it after a gap or on a new page.
 */
import { encodeBatch, EVENT_FULL_SNAPSHOT, EVENT_INCREMENTAL, EVENT_META, type ChunkBody, type RecordedEvent } from './codec.js';
import { BLOCK_SELECTOR, isBlocked, MASK_INPUT_OPTIONS, MASK_TEXT_SELECTOR, maskInputValue } from './masking.js';

const SOURCE_MUTATION = 0;

interface MutationData {
  source: number;
  adds?: Array<{ parentId: number }>;
  removes?: Array<{ parentId: number }>;
  texts?: Array<{ id: number }>;
  attributes?: Array<{ id: number }>;
}

type RecordModule = typeof import('@rrweb/record');
type RecordFn = RecordModule['record'];

let loading: Promise<RecordModule> | undefined;
/** rrweb's recorder, fetched once on demand (a separate chunk in the build). */
export function loadRecorder(): Promise<RecordModule> {
  loading ??= import('@rrweb/record').catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

export interface RecorderOptions {
  /** Sends one chunk; false when it could not go out (the agent will ask for a snapshot). */
  send(chunk: ChunkBody): boolean;
  /** Checked before a batch is encoded: nobody to send to means no work (the seq still moves on). */
  canSend?(): boolean;
  /** At most one batch per this many ms while the page keeps changing (default 100); a change after a quiet spell goes at once. */
  batchMs?: number;
  /** More elements the site never wants recorded, on top of `[data-vc-block]` and our own UI. */
  blockSelector?: string;
  onError?(error: unknown): void;
}

export function newStreamId(): string {
  return `s${Date.now().toString(36)}${globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 10)}`;
}

/** One recording of this document (one `stream`); start once, stop once. */
export class CobrowseRecorder {
  /** rrweb records one document at a time per page: the recorder doing it. */
  private static active?: CobrowseRecorder;
  readonly stream = newStreamId();
  private seq = 0;
  private pending: RecordedEvent[] = [];
  private timer?: ReturnType<typeof setTimeout>;
  private chain: Promise<void> = Promise.resolve();
  private record?: RecordFn;
  private stopRecording?: () => void;
  private stopped = false;
  private readonly batchMs: number;
  private lastFlush = -Infinity;
  private readonly blockSelector: string;

  constructor(private readonly options: RecorderOptions) {
    this.batchMs = options.batchMs ?? 100;
    this.blockSelector = options.blockSelector ? `${BLOCK_SELECTOR}, ${options.blockSelector}` : BLOCK_SELECTOR;
  }

  get recording(): boolean {
    return this.stopRecording !== undefined && !this.stopped;
  }

  /** Loads rrweb and starts recording; the first batch is a full snapshot. */
  async start(): Promise<void> {
    if (this.stopped) throw new Error('recorder was stopped');
    const previous = CobrowseRecorder.active;
    if (previous && previous !== this) previous.stop();
    CobrowseRecorder.active = this;
    const { record } = await loadRecorder();
    if (this.stopped) return;
    this.record = record;
    const stop = record({
      emit: (event) => this.onEvent(event as unknown as RecordedEvent),
      // maskAllInputs stays off: MASK_INPUT_OPTIONS is a stricter superset (every input type, by tag).
      maskAllInputs: false,
      maskInputOptions: MASK_INPUT_OPTIONS,
      maskInputFn: maskInputValue,
      maskTextSelector: MASK_TEXT_SELECTOR,
      blockSelector: this.blockSelector,
      slimDOMOptions: {
        script: true,
        comment: true,
        headFavicon: true,
        headWhitespace: true,
        headMetaSocial: true,
        headMetaRobots: true,
        headMetaHttpEquiv: true,
        headMetaAuthorship: true,
        headMetaVerification: true,
        headMetaDescKeywords: true,
      },
      recordCanvas: false,
      collectFonts: false,
      inlineImages: false,
      recordCrossOriginIframes: false,
      sampling: { mousemove: 50, scroll: 100, media: 800 },
      errorHandler: (error: unknown) => {
        this.options.onError?.(error);
        return true;
      },
    });
    if (!stop) throw new Error('rrweb could not start recording this page');
    if (this.stopped) {
      stop();
      return;
    }
    this.stopRecording = stop;
  }

  /** Sends a fresh full snapshot (the agent lost the thread). */
  takeFullSnapshot(): void {
    if (!this.recording) return;
    this.record?.takeFullSnapshot();
  }

  /** The recorded node with rrweb id `id` (the same id the agent's replay uses). */
  nodeFor(id: number): Node | null {
    if (!this.recording) return null;
    return this.record?.mirror.getNode(id) ?? null;
  }

  /** rrweb id of a recorded node, -1 if none. */
  idOf(node: Node): number {
    return this.recording ? (this.record?.mirror.getId(node) ?? -1) : -1;
  }

  /** Encodes and sends what is pending now; resolves once everything queued so far went out. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0 || this.stopped) return this.chain;
    this.lastFlush = performance.now();
    const events = this.pending;
    this.pending = [];
    const seq = this.seq++;
    this.chain = this.chain
      .then(async () => {
        if (this.stopped) return;
        if (this.options.canSend && !this.options.canSend()) return;
        for (const chunk of await encodeBatch(events, this.stream, seq)) {
          if (this.stopped || !this.options.send(chunk)) return;
        }
      })
      .catch((e: unknown) => this.options.onError?.(e));
    return this.chain;
  }

  /** Stops recording: rrweb removes its listeners, observers and hooks; nothing more is sent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    try {
      this.stopRecording?.();
    } finally {
      this.stopRecording = undefined;
      if (CobrowseRecorder.active === this) CobrowseRecorder.active = undefined;
    }
  }

  private onEvent(raw: RecordedEvent): void {
    if (this.stopped) return;
    const event = this.withoutBlockedShadowContent(raw);
    if (!event) return;
    // A full snapshot (Meta + FullSnapshot) starts its own batch and goes at once.
    if (event.type === EVENT_META && this.pending.length > 0) void this.flush();
    this.pending.push(event);
    if (event.type === EVENT_FULL_SNAPSHOT) {
      void this.flush();
      return;
    }
    // Leading edge: the first change after a quiet spell goes out at the end of
    // this task (its whole mutation burst together); under steady activity at
    // most one batch per window.
    this.timer ??= setTimeout(() => void this.flush(), Math.max(0, this.lastFlush + this.batchMs - performance.now()));
  }

  /**
   * rrweb observes every shadow root attached while it records, also under a
   * blocked host (a widget rendering after recording started), and its block
   * check stops at shadow boundaries. So: drop what happens inside a blocked
   * element, shadow roots included, before anything is handed on.
   */
  private withoutBlockedShadowContent(event: RecordedEvent): RecordedEvent | undefined {
    if (event.type !== EVENT_INCREMENTAL || !this.record) return event;
    const mirror = this.record.mirror;
    const seen = new Map<number, boolean>();
    const inside = (id: number | undefined): boolean => {
      if (id === undefined || id < 0) return false;
      let hit = seen.get(id);
      if (hit === undefined) {
        const node = mirror.getNode(id);
        hit = node !== null && isBlocked(node, this.blockSelector);
        seen.set(id, hit);
      }
      return hit;
    };
    const data = event.data as MutationData & { id?: number };
    if (data.source !== SOURCE_MUTATION) {
      // Input, scroll, selection, media, style… on a node inside a blocked element.
      return inside(data.id) ? undefined : event;
    }
    const adds = data.adds?.filter((a) => !inside(a.parentId)) ?? [];
    const removes = data.removes?.filter((r) => !inside(r.parentId)) ?? [];
    const texts = data.texts?.filter((t) => !inside(t.id)) ?? [];
    const attributes = data.attributes?.filter((a) => !inside(a.id)) ?? [];
    if (adds.length + removes.length + texts.length + attributes.length === 0) return undefined;
    return { ...event, data: { ...data, adds, removes, texts, attributes } };
  }
}
