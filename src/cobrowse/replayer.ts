/**
 * Agent side of cobrowse: the customer's page replayed live with rrweb's
 * Replayer inside an element the UI provides. The replay runs in rrweb's
 * sandboxed iframe (`sandbox="allow-same-origin"`, never `allow-scripts`):
 * recorded content is untrusted input, so no script, inline handler, form
 * submission or navigation of the recorded page runs in the agent console.
 *
 * The agent's gestures over the replay become intents (pointer, highlight,
 * click, input) naming rrweb node ids; the session decides what may be sent.
 */
import { EVENT_INCREMENTAL, type RecordedEvent } from './codec.js';

type ReplayModule = typeof import('@rrweb/replay');
type ReplayerInstance = InstanceType<ReplayModule['Replayer']>;

let loading: Promise<ReplayModule> | undefined;
/** rrweb's replayer, fetched once on demand (a separate chunk in the build). */
export function loadReplayer(): Promise<ReplayModule> {
  loading ??= import('@rrweb/replay').catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

export type ReplayIntent =
  | { kind: 'pointer'; x: number; y: number }
  | { kind: 'highlight'; node: number }
  | { kind: 'click'; node: number }
  | { kind: 'input'; node: number; value: string };

export interface ReplayerOptions {
  onIntent(intent: ReplayIntent): void;
  /** Pointer messages at most this often (ms). */
  pointerIntervalMs?: number;
  /** Coalesce typing into one input intent per field per this many ms. */
  inputIntervalMs?: number;
}

const INCREMENTAL_INPUT = 5;

/** Styles for rrweb's wrapper and the customer's cursor; added next to the replay. */
export const REPLAY_CSS = `
.replayer-wrapper { position: relative; transform-origin: 0 0; }
.replayer-wrapper > iframe { border: 0; display: block; background: #fff; }
.replayer-mouse { position: absolute; width: 14px; height: 14px; margin: -7px 0 0 -7px; border-radius: 50%;
  background: rgb(37 99 235 / 0.55); box-shadow: 0 0 0 2px #fff; pointer-events: none; transition: left 50ms linear, top 50ms linear; }
.replayer-mouse.active { background: rgb(37 99 235 / 0.9); }
.replayer-mouse-tail { display: none; }
`;

/**
 * One live replay in `stage`. `reset()` with a full snapshot (re)starts it,
 * `add()` continues it. Idempotent `dispose()`.
 */
export class CobrowseReplayer {
  private replayer?: ReplayerInstance;
  private readonly style: HTMLStyleElement;
  private lastTs = 0;
  private baseline = 0;
  private interactive = false;
  private highlightMode = false;
  private disposed = false;
  private pointerAt = 0;
  private readonly inputTimers = new Map<number, ReturnType<typeof setTimeout>>();
  private readonly lastSent = new Map<number, string>();
  private editing?: { node: number; until: number };
  private readonly resizeObserver?: ResizeObserver;
  private size = { width: 0, height: 0 };
  private docListeners?: AbortController;
  private readonly stageListeners = new AbortController();
  private generation = 0;

  constructor(private readonly stage: HTMLElement, private readonly options: ReplayerOptions) {
    this.style = stage.ownerDocument.createElement('style');
    this.style.textContent = REPLAY_CSS;
    stage.append(this.style);
    const signal = this.stageListeners.signal;
    stage.addEventListener('pointermove', (e) => this.onStagePointer(e), { signal });
    stage.addEventListener('click', (e) => this.onStageClick(e), { signal });
    if (typeof ResizeObserver !== 'undefined') {
      this.resizeObserver = new ResizeObserver(() => this.fit());
      this.resizeObserver.observe(stage);
    }
  }

  /** The sandboxed iframe showing the page (undefined before the first snapshot). */
  get iframe(): HTMLIFrameElement | undefined {
    return this.replayer?.iframe;
  }

  /** The customer's viewport size as last reported. */
  get viewport(): { width: number; height: number } {
    return { ...this.size };
  }

  /** rrweb id of a node in the replay, -1 if none. */
  idOf(node: Node): number {
    return this.replayer?.getMirror().getId(node) ?? -1;
  }

  /** Replay node with rrweb id `id`. */
  nodeFor(id: number): Node | null {
    return (this.replayer?.getMirror().getNode(id) as Node | null | undefined) ?? null;
  }

  /** Starts the replay over from a full snapshot (Meta + FullSnapshot first). */
  async reset(events: RecordedEvent[]): Promise<void> {
    const generation = ++this.generation;
    const { Replayer } = await loadReplayer();
    if (this.disposed || generation !== this.generation) return;
    this.destroyReplayer();
    this.lastSent.clear();
    this.editing = undefined;
    const quiet = { log: () => {}, warn: () => {} };
    const replayer = new Replayer([], {
      root: this.stage,
      liveMode: true,
      // Never allow-scripts: canvas replay would need it, and recorded pages are untrusted.
      UNSAFE_replayCanvas: false,
      // Focus stays with the agent's own UI.
      triggerFocus: false,
      mouseTail: false,
      showWarning: false,
      logger: quiet,
    });
    this.replayer = replayer;
    // Rebuilding a snapshot re-opens the iframe's document, which drops its listeners: attach after each one.
    replayer.on('fullsnapshot-rebuilded', () => {
      if (this.replayer === replayer) this.attachDocListeners();
    });
    replayer.on('resize', (d) => {
      const { width, height } = d as { width: number; height: number };
      this.size = { width, height };
      this.fit();
    });
    const rebased = this.rebase(events, Date.now(), true);
    this.baseline = rebased[0].timestamp - 1;
    replayer.startLive(this.baseline);
    for (const e of rebased) replayer.addEvent(e as never);
    this.applyInteract();
  }

  /** Continues the replay with the next batch. */
  add(events: RecordedEvent[]): void {
    const replayer = this.replayer;
    if (!replayer || this.disposed) return;
    for (const e of this.rebase(this.withoutEchoOfEditing(events), this.replayNow(replayer), false)) replayer.addEvent(e as never);
  }

  /** Empties the view (cobrowse ended); a later reset() starts again. */
  clear(): void {
    this.generation++;
    this.editing = undefined;
    for (const t of this.inputTimers.values()) clearTimeout(t);
    this.inputTimers.clear();
    this.lastSent.clear();
    this.destroyReplayer();
    this.size = { width: 0, height: 0 };
  }

  /** Control granted: the replay takes clicks and typing (turned into intents, never run in the replay). */
  setInteractive(on: boolean): void {
    this.interactive = on;
    if (!on) this.editing = undefined;
    this.applyInteract();
  }

  /** While on, clicks highlight instead of clicking. */
  setHighlightMode(on: boolean): void {
    this.highlightMode = on;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.generation++;
    for (const t of this.inputTimers.values()) clearTimeout(t);
    this.inputTimers.clear();
    this.stageListeners.abort();
    this.resizeObserver?.disconnect();
    this.destroyReplayer();
    this.style.remove();
  }

  private destroyReplayer(): void {
    this.docListeners?.abort();
    this.docListeners = undefined;
    const r = this.replayer;
    this.replayer = undefined;
    if (!r) return;
    try {
      r.destroy();
    } catch {
      r.wrapper?.remove();
    }
  }

  /**
   * "Now" on the replay's live timer. The timer runs on performance.now()
   * from when rrweb started it, which can trail the wall clock by tens of
   * milliseconds; events timed by Date.now() would wait that long.
   */
  private replayNow(replayer: ReplayerInstance): number {
    const t = (replayer as unknown as { timer?: { timeOffset?: unknown; lastTimestamp?: unknown } }).timer;
    if (!t || typeof t.timeOffset !== 'number' || typeof t.lastTimestamp !== 'number') return Date.now();
    return this.baseline + t.timeOffset + (performance.now() - t.lastTimestamp);
  }

  /**
   * Customer timestamps → the replay's clock, each batch ending now: the
   * live timer plays it at once whatever the clock skew, keeping the spacing
   * of events within the batch (cursor movement stays smooth).
   */
  private rebase(events: RecordedEvent[], now: number, restart: boolean): RecordedEvent[] {
    if (events.length === 0) return events;
    if (restart) this.lastTs = 0;
    const offset = now - events[events.length - 1].timestamp;
    return events.map((e) => {
      const ts = Math.max(e.timestamp + offset, this.lastTs);
      this.lastTs = ts;
      return { ...e, timestamp: ts };
    });
  }

  /** Drops the customer's (masked) echo of the field the agent is typing into, so it doesn't fight the agent's typing. */
  private withoutEchoOfEditing(events: RecordedEvent[]): RecordedEvent[] {
    const editing = this.editing;
    if (!editing || Date.now() > editing.until) return events;
    return events.filter((e) => {
      if (e.type !== EVENT_INCREMENTAL) return true;
      const d = e.data as { source?: number; id?: number } | undefined;
      return !(d?.source === INCREMENTAL_INPUT && d.id === editing.node);
    });
  }

  private applyInteract(): void {
    const r = this.replayer;
    if (!r) return;
    if (this.interactive) r.enableInteract();
    else r.disableInteract();
  }

  private attachDocListeners(): void {
    this.applyInteract();
    const frame = this.replayer?.iframe;
    const doc = frame?.contentDocument;
    if (!frame || !doc) return;
    frame.title = 'Customer’s page (live view)';
    this.docListeners?.abort();
    this.docListeners = new AbortController();
    const opts = { capture: true, signal: this.docListeners.signal };
    // These only fire while the iframe takes pointer events (control granted).
    doc.addEventListener('pointermove', (e) => this.onPointerInFrame(e), opts);
    doc.addEventListener('click', (e) => this.onFrameClick(e), opts);
    doc.addEventListener('submit', (e) => e.preventDefault(), opts);
    doc.addEventListener('input', (e) => this.onFrameInput(e, false), opts);
    doc.addEventListener('change', (e) => this.onFrameInput(e, true), opts);
    doc.addEventListener('focusout', () => { if (this.editing) this.editing.until = Date.now() + 800; }, opts);
  }

  private fit(): void {
    const wrapper = this.replayer?.wrapper;
    if (!wrapper || !this.size.width || !this.size.height) return;
    const avail = this.stage.clientWidth || this.size.width;
    const availH = this.stage.clientHeight || Infinity;
    const scale = Math.min(1, avail / this.size.width, availH / this.size.height);
    wrapper.style.transform = `scale(${scale})`;
    wrapper.style.width = `${this.size.width}px`;
    wrapper.style.height = `${this.size.height}px`;
  }

  /** A point over the stage → fraction of the customer's viewport, or undefined when outside the page. */
  private fractionAt(clientX: number, clientY: number): { x: number; y: number } | undefined {
    const frame = this.replayer?.iframe;
    if (!frame || !this.size.width) return undefined;
    const r = frame.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return undefined;
    const x = (clientX - r.left) / r.width;
    const y = (clientY - r.top) / r.height;
    if (x < 0 || x > 1 || y < 0 || y > 1) return undefined;
    return { x, y };
  }

  private sendPointer(x: number, y: number): void {
    const now = performance.now();
    if (now - this.pointerAt < (this.options.pointerIntervalMs ?? 60)) return;
    this.pointerAt = now;
    this.options.onIntent({ kind: 'pointer', x: round(x), y: round(y) });
  }

  private onStagePointer(e: PointerEvent): void {
    const f = this.fractionAt(e.clientX, e.clientY);
    if (f) this.sendPointer(f.x, f.y);
  }

  private onPointerInFrame(e: PointerEvent): void {
    if (!this.size.width) return;
    this.sendPointer(clamp(e.clientX / this.size.width), clamp(e.clientY / this.size.height));
  }

  /** Clicks on the stage (the iframe takes none while viewing): highlight only. */
  private onStageClick(e: MouseEvent): void {
    const f = this.fractionAt(e.clientX, e.clientY);
    const doc = this.replayer?.iframe.contentDocument;
    if (!f || !doc) return;
    const el = doc.elementFromPoint(f.x * this.size.width, f.y * this.size.height);
    if (!el) return;
    const node = this.idOf(el);
    if (node >= 0 && (this.highlightMode || e.altKey || !this.interactive)) this.options.onIntent({ kind: 'highlight', node });
  }

  private onFrameClick(e: MouseEvent): void {
    // Nothing the recorded page would do on a click happens here.
    e.preventDefault();
    // The replay's nodes belong to the iframe's realm: no instanceof against ours.
    const target = e.target as Node | null;
    const el = target && (target.nodeType === 1 ? (target as Element) : target.parentElement);
    if (!el) return;
    const node = this.idOf(el);
    if (node < 0) return;
    if (this.highlightMode || e.altKey) {
      this.options.onIntent({ kind: 'highlight', node });
      return;
    }
    if (!this.interactive) return;
    // Text fields take focus here and are filled by typing, not clicked on the customer's page.
    if (isTextField(el)) {
      this.editing = { node, until: Number.POSITIVE_INFINITY };
      return;
    }
    this.options.onIntent({ kind: 'click', node });
  }

  private onFrameInput(e: Event, commit: boolean): void {
    if (!this.interactive) return;
    const el = e.target as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement | null;
    if (!el || !('value' in el)) return;
    const localName = (el as Element).localName;
    if (localName !== 'input' && localName !== 'textarea' && localName !== 'select') return;
    if (localName === 'input' && ['checkbox', 'radio', 'file', 'submit', 'button', 'reset', 'image'].includes((el as HTMLInputElement).type)) return;
    const node = this.idOf(el);
    if (node < 0) return;
    this.editing = { node, until: Number.POSITIVE_INFINITY };
    clearTimeout(this.inputTimers.get(node));
    const send = () => {
      this.inputTimers.delete(node);
      const value = el.value.slice(0, 1000);
      if (this.lastSent.get(node) === value) return;
      this.lastSent.set(node, value);
      this.options.onIntent({ kind: 'input', node, value });
    };
    if (commit) send();
    else this.inputTimers.set(node, setTimeout(send, this.options.inputIntervalMs ?? 120));
  }
}

function isTextField(el: Element): boolean {
  if (el.localName === 'textarea') return true;
  if (el.localName !== 'input') return false;
  return !['checkbox', 'radio', 'submit', 'button', 'reset', 'image', 'file', 'range', 'color'].includes((el as HTMLInputElement).type);
}

function clamp(n: number): number {
  return Math.min(1, Math.max(0, n));
}

function round(n: number): number {
  return Math.round(clamp(n) * 10000) / 10000;
}
