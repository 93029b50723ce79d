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
import { closestComposed, isSecretAutocomplete, isSecretField } from './masking.js';

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

/** Words the replay shows the agent (from the UI's message catalogue). */
export interface ReplayLabels {
  /** The replay iframe's title. */
  frame: string;
  /** Tooltip of a masked field: the agent sees * for each character. */
  masked: string;
  /** Tooltip of a secret field (password, payment, `data-vc-mask`): never shown, never filled. */
  secret: string;
}

const DEFAULT_LABELS: ReplayLabels = {
  frame: 'Customer’s page (live view)',
  masked: 'Masked: you see * for each character the customer types',
  secret: 'Protected field: never shown, never filled remotely',
};

export interface ReplayerOptions {
  onIntent(intent: ReplayIntent): void;
  labels?: ReplayLabels;
  /** Pointer messages at most this often (ms). */
  pointerIntervalMs?: number;
  /** Coalesce typing into one input intent per field per this many ms. */
  inputIntervalMs?: number;
}

const INCREMENTAL_INPUT = 5;

/** Form fields whose value the customer's recorder masks (masking.ts): the types it has no value to hide in are left out. */
const FIELD_SELECTOR = 'input, textarea, select';
const UNMASKED_INPUT_TYPES = new Set(['checkbox', 'radio', 'submit', 'button', 'reset', 'image', 'file', 'hidden', 'range', 'color']);
/** Attributes that decide whether a replayed field is masked (and our own tooltip). */
const MASK_ATTRIBUTES = ['type', 'autocomplete', 'data-vc-mask', 'data-vc-unmask', 'data-rr-is-password', 'title'];

/**
 * Marks masked fields inside the replay, inserted by rrweb into every
 * rebuilt document: a dashed outline and a lock on masked fields (the agent
 * sees * for what the customer types), a solid one on secret fields
 * (password, payment, `data-vc-mask`: a constant mask, never filled).
 */
const LOCK_ICON = `url("data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="#c2410c" d="M12 2a5 5 0 0 1 5 5v3h1a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2h1V7a5 5 0 0 1 5-5zm0 2a3 3 0 0 0-3 3v3h6V7a3 3 0 0 0-3-3z"/></svg>')}")`;
export const MASK_MARKER_CSS = [
  '[data-vc-masked] { outline: 2px dashed #c2410c !important; outline-offset: 1px !important; }',
  '[data-vc-masked="secret"] { outline-style: solid !important; }',
  `input[data-vc-masked], textarea[data-vc-masked] { background-image: ${LOCK_ICON} !important; background-repeat: no-repeat !important; background-position: right 4px top 50% !important; background-size: 14px 14px !important; }`,
];

/**
 * How the customer's recorder treats `el`'s value: 'secret' (constant mask),
 * 'masked' (* per character), or shown. `autocomplete` is the field's own
 * value on the customer's page (rrweb's rebuild sets every replayed field's
 * to "off").
 */
export function maskKind(el: Element, autocomplete?: string): 'secret' | 'masked' | undefined {
  if (el.matches(FIELD_SELECTOR)) {
    if (el.localName === 'input' && UNMASKED_INPUT_TYPES.has((el.getAttribute('type') ?? '').toLowerCase()) && !el.hasAttribute('data-rr-is-password')) return undefined;
    if (isSecretField(el) || isSecretAutocomplete(autocomplete)) return 'secret';
    return closestComposed(el, '[data-vc-unmask]') ? undefined : 'masked';
  }
  // Text inside data-vc-mask elements arrives as * per character.
  return el.matches('[data-vc-mask]') ? 'masked' : undefined;
}

/**
 * Styles for rrweb's wrapper and the customer's cursor; added next to the
 * replay. The wrapper is taken out of the flow: at the customer's full
 * viewport width it would otherwise make the stage (and every box around it
 * that sizes to its content) as wide as the customer's page; fit() scales it
 * down with a transform and centres it.
 */
export const REPLAY_CSS = `
.replayer-wrapper { position: absolute; top: 0; left: 0; transform-origin: 0 0; }
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
  private labels: ReplayLabels;

  constructor(private readonly stage: HTMLElement, private readonly options: ReplayerOptions) {
    this.labels = options.labels ?? DEFAULT_LABELS;
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
      insertStyleRules: MASK_MARKER_CSS,
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

  /** The words shown in the replay (frame title, masked fields' tooltips), in the agent's language. */
  setLabels(labels: ReplayLabels): void {
    this.labels = labels;
    const frame = this.replayer?.iframe;
    if (frame) frame.title = labels.frame;
    this.markMasked();
  }

  /** Marks every masked field of the replayed page (data-vc-masked + tooltip); the styles come with the rebuild. */
  private markMasked(): void {
    const replayer = this.replayer;
    const doc = replayer?.iframe.contentDocument;
    if (!replayer || !doc) return;
    const mirror = replayer.getMirror();
    for (const el of Array.from(doc.querySelectorAll(`${FIELD_SELECTOR}, [data-vc-mask]`))) {
      const recorded = (mirror.getMeta(el) as { attributes?: Record<string, unknown> } | null)?.attributes?.autocomplete;
      const kind = maskKind(el, typeof recorded === 'string' ? recorded : undefined);
      if (!kind) {
        if (el.hasAttribute('data-vc-masked')) el.removeAttribute('data-vc-masked');
        continue;
      }
      const title = kind === 'secret' ? this.labels.secret : this.labels.masked;
      if (el.getAttribute('data-vc-masked') !== kind) el.setAttribute('data-vc-masked', kind);
      if (el.getAttribute('title') !== title) el.setAttribute('title', title);
    }
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
    frame.title = this.labels.frame;
    this.docListeners?.abort();
    this.docListeners = new AbortController();
    const opts = { capture: true, signal: this.docListeners.signal };
    // Fields come and go with the customer's page: mark new ones (once per burst of mutations).
    this.markMasked();
    let queued = false;
    const observer = new MutationObserver(() => {
      if (queued) return;
      queued = true;
      queueMicrotask(() => {
        queued = false;
        this.markMasked();
      });
    });
    observer.observe(doc, { childList: true, subtree: true, attributes: true, attributeFilter: MASK_ATTRIBUTES });
    this.docListeners.signal.addEventListener('abort', () => observer.disconnect());
    // These only fire while the iframe takes pointer events (control granted).
    doc.addEventListener('pointermove', (e) => this.onPointerInFrame(e), opts);
    doc.addEventListener('click', (e) => this.onFrameClick(e), opts);
    doc.addEventListener('submit', (e) => e.preventDefault(), opts);
    doc.addEventListener('input', (e) => this.onFrameInput(e, false), opts);
    doc.addEventListener('change', (e) => this.onFrameInput(e, true), opts);
    doc.addEventListener('focusout', () => { if (this.editing) this.editing.until = Date.now() + 800; }, opts);
  }

  /**
   * Scales the customer's viewport into the stage: never wider than the
   * stage (no horizontal overflow), never taller, never enlarged; centred.
   * Pointer and clicks are mapped through the iframe's transformed box
   * (fractionAt), so they stay right at any scale.
   */
  private fit(): void {
    const wrapper = this.replayer?.wrapper;
    if (!wrapper || !this.size.width || !this.size.height) return;
    const avail = this.stage.clientWidth || this.size.width;
    const availH = this.stage.clientHeight || Infinity;
    const scale = Math.min(1, avail / this.size.width, availH / this.size.height);
    wrapper.style.transform = `scale(${scale})`;
    wrapper.style.width = `${this.size.width}px`;
    wrapper.style.height = `${this.size.height}px`;
    wrapper.style.left = `${Math.max(0, (avail - this.size.width * scale) / 2)}px`;
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
