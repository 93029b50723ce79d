import type { SignalMessage } from '../chat/index.js';
import type { BatchSequencer, ChunkBody, CobrowseReplayer, Reassembler, RecordedEvent, ReplayIntent, ReplayLabels } from '../cobrowse/index.js';
import { loadAgentRuntime, type AgentRuntime } from '../cobrowse/runtime.js';
import { english } from '../i18n/index.js';
import type { BodyOf } from '../protocol/index.js';
import type { CobrowseContext, CobrowseSide } from './cobrowse-session.js';
import type { ReplayTargetHandle } from './conversation-state.js';

/** Replay events kept for a view attached later; past this a fresh snapshot is cheaper. */
const MAX_BUFFERED_EVENTS = 10000;
/** Chunks held while the agent's cobrowse code loads. */
const MAX_PENDING_CHUNKS = 4096;
const RESYNC_MIN_INTERVAL_MS = 1000;
/** Actions waiting for the customer's page to report on them (more are forgotten, oldest first). */
const MAX_PENDING_ACTIONS = 256;

interface Target {
  el: HTMLElement;
  highlight: boolean;
  labels?: ReplayLabels;
  replayer?: CobrowseReplayer;
}

interface Loaded {
  rt: AgentRuntime;
  reassembler: Reassembler;
  sequencer: BatchSequencer;
}

/**
 * The agent's half of cobrowse: reassembles and decodes the customer's
 * chunks, replays them into the element the UI attached (the reassembly and
 * replay code loads with the first chunk or view), asks for a full snapshot
 * when it has none or lost one, and turns the agent's gestures into pointer,
 * highlight and (while control is granted) action messages.
 */
export class AgentCobrowse implements CobrowseSide {
  private loaded?: Loaded;
  private loading?: Promise<void>;
  private pendingChunks: ChunkBody[] = [];
  private decodeChain: Promise<void> = Promise.resolve();
  private buffer: RecordedEvent[] = [];
  private target?: Target;
  private resyncTimer?: ReturnType<typeof setInterval>;
  private lastResyncAsked = 0;
  /** Actions sent and not reported on yet (`stream kind node` → how many): only reports on these are taken. */
  private readonly pendingActions = new Map<string, number>();
  private actionSeq = 0;

  constructor(private readonly cb: CobrowseContext) {}

  /** Replays into `el` from now on (the latest full snapshot at once, if any). */
  attachReplayTarget(el: HTMLElement): ReplayTargetHandle {
    this.detachTarget();
    const target: Target = { el, highlight: false };
    this.target = target;
    void this.load().then(() => this.mountReplayer(target));
    return {
      setHighlightMode: (on) => {
        target.highlight = on;
        target.replayer?.setHighlightMode(on);
      },
      setLabels: (labels) => {
        target.labels = labels;
        target.replayer?.setLabels(labels);
      },
      get iframe() {
        return target.replayer?.iframe;
      },
      detach: () => {
        if (this.target === target) this.detachTarget();
      },
    };
  }

  onEphemeral(m: SignalMessage): void {
    if (this.cb.state().phase !== 'active') return;
    if (m.type === 'cobrowse.chunk') this.onChunk(m.body);
    else if (m.type === 'cobrowse.action-result') this.onActionResult(m.body);
  }

  /** The customer's page performed or refused one of our actions: the agent is told (a refusal with why). */
  private onActionResult(r: BodyOf<'cobrowse.action-result'>): void {
    const key = actionKey(r.stream, r.kind, r.node);
    const n = this.pendingActions.get(key);
    if (!n) return; // nothing of ours to report on
    if (n > 1) this.pendingActions.set(key, n - 1);
    else this.pendingActions.delete(key);
    this.actionSeq++;
    this.cb.update({ lastAction: { kind: r.kind, ok: r.ok, ...(r.code ? { code: r.code } : {}), seq: this.actionSeq } });
    this.cb.emit('cobrowse-action', {
      kind: r.kind, node: r.node, ok: r.ok, ...(r.code ? { code: r.code, reason: english(`cobrowse.refusal.${r.code}`) } : {}),
    });
  }

  private sendAction(body: BodyOf<'cobrowse.action'>): void {
    if (!this.cb.signals.sendEphemeral('cobrowse.action', body)) return;
    const key = actionKey(body.stream, body.kind, body.node);
    const n = this.pendingActions.get(key) ?? 0;
    // Re-inserted: the map's order is the age of its newest action, the oldest is forgotten first.
    this.pendingActions.delete(key);
    this.pendingActions.set(key, n + 1);
    if (this.pendingActions.size > MAX_PENDING_ACTIONS) this.pendingActions.delete(this.pendingActions.keys().next().value as string);
  }

  async reconcile(): Promise<void> {
    if (this.cb.state().phase === 'active') this.startResyncTimer();
    else this.stop();
  }

  stopped(): void {
    this.stop();
    this.target?.replayer?.clear();
  }

  controlChanged(): void {
    this.target?.replayer?.setInteractive(this.cb.state().control === 'granted');
  }

  dispose(): void {
    this.stop();
    this.detachTarget();
  }

  private load(): Promise<void> {
    this.loading ??= loadAgentRuntime().then(
      (rt) => {
        this.loaded = { rt, reassembler: new rt.Reassembler(), sequencer: new rt.BatchSequencer() };
        const pending = this.pendingChunks;
        this.pendingChunks = [];
        for (const c of pending) this.onChunk(c);
      },
      (e: unknown) => {
        this.loading = undefined;
        this.cb.update({ error: `The cobrowse view could not load: ${e instanceof Error ? e.message : String(e)}` });
      },
    );
    return this.loading;
  }

  private mountReplayer(target: Target): void {
    const side = this.loaded;
    if (!side || this.target !== target || target.replayer || this.cb.disposed()) return;
    const replayer = new side.rt.CobrowseReplayer(target.el, { onIntent: (i) => this.onIntent(i), labels: target.labels });
    target.replayer = replayer;
    replayer.setHighlightMode(target.highlight);
    replayer.setInteractive(this.cb.state().control === 'granted');
    if (this.cb.state().phase !== 'active') return;
    if (this.buffer.length > 0 && side.sequencer.inSync) void replayer.reset(this.buffer.slice());
    else this.askResync(true);
  }

  private detachTarget(): void {
    this.target?.replayer?.dispose();
    this.target = undefined;
  }

  private onChunk(chunk: ChunkBody): void {
    const side = this.loaded;
    if (!side) {
      if (this.pendingChunks.length < MAX_PENDING_CHUNKS) this.pendingChunks.push(chunk);
      void this.load();
      return;
    }
    for (const r of side.reassembler.push(chunk)) {
      if (r.kind === 'gap') {
        side.sequencer.invalidate();
        this.askResync();
      } else if (r.kind === 'batch') {
        const { stream, seq, data } = r;
        this.decodeChain = this.decodeChain.then(async () => {
          let events: RecordedEvent[];
          try {
            events = await side.rt.decodeBatch(data);
          } catch {
            side.sequencer.invalidate();
            this.askResync();
            return;
          }
          if (this.cb.disposed() || this.cb.state().phase !== 'active') return;
          this.onBatch(side, stream, seq, events);
        });
      }
    }
  }

  private onBatch(side: Loaded, stream: string, seq: number, events: RecordedEvent[]): void {
    const r = side.sequencer.accept(stream, seq, events);
    if (r.kind === 'gap') {
      this.askResync();
      return;
    }
    if (r.kind === 'stale') return;
    const replayer = this.target?.replayer;
    if (r.kind === 'reset') {
      this.buffer = r.events.slice();
      void replayer?.reset(r.events);
    } else {
      this.buffer.push(...r.events);
      replayer?.add(r.events);
      if (this.buffer.length > MAX_BUFFERED_EVENTS) this.askResync(true);
    }
    const state = this.cb.state();
    const meta = [...r.events].reverse().find((e) => e.type === side.rt.EVENT_META);
    const data = meta?.data as { href?: unknown; width?: unknown; height?: unknown } | undefined;
    const page = data && typeof data.href === 'string' && typeof data.width === 'number' && typeof data.height === 'number'
      ? { href: data.href.slice(0, 2048), width: data.width, height: data.height }
      : state.page;
    if (!state.live || page !== state.page) this.cb.update({ live: true, page });
  }

  private askResync(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastResyncAsked < RESYNC_MIN_INTERVAL_MS) return;
    const stream = this.loaded?.sequencer.stream;
    if (this.cb.signals.sendEphemeral('cobrowse.resync', stream ? { stream } : {})) this.lastResyncAsked = now;
  }

  private startResyncTimer(): void {
    if (this.resyncTimer) return;
    void this.load();
    // Joined late, or the customer's first snapshot went out before we were there: ask until one arrives.
    this.resyncTimer = setInterval(() => {
      if (this.cb.state().phase !== 'active') return;
      if (!this.loaded?.sequencer.inSync && Date.now() - this.lastResyncAsked >= (this.cb.options.resyncRetryMs ?? 2000)) this.askResync(true);
    }, 500);
  }

  private stop(): void {
    clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    this.loaded?.reassembler.reset();
    this.loaded?.sequencer.reset();
    this.pendingChunks = [];
    this.buffer = [];
    this.pendingActions.clear();
  }

  private onIntent(intent: ReplayIntent): void {
    const { signals } = this.cb;
    const state = this.cb.state();
    if (state.phase !== 'active') return;
    const stream = this.loaded?.sequencer.stream;
    switch (intent.kind) {
      case 'pointer':
        signals.sendEphemeral('cobrowse.pointer', { x: intent.x, y: intent.y });
        break;
      case 'highlight':
        if (stream) signals.sendEphemeral('cobrowse.highlight', { stream, node: intent.node });
        break;
      case 'click':
        if (stream && state.control === 'granted') this.sendAction({ stream, kind: 'click', node: intent.node });
        break;
      case 'input':
        if (stream && state.control === 'granted') this.sendAction({ stream, kind: 'input', node: intent.node, value: intent.value });
        break;
    }
  }
}

function actionKey(stream: string, kind: string, node: number): string {
  return `${stream} ${kind} ${node}`;
}
