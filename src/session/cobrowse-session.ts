import type { ChatSession, SignalMessage } from '../chat/index.js';
import type { BatchSequencer, ChunkBody, CobrowseRecorder, CobrowseReplayer, PointerOverlay, Reassembler, RecordedEvent, ReplayIntent } from '../cobrowse/index.js';
import { loadAgentRuntime, loadCustomerRuntime, type AgentRuntime, type CustomerRuntime } from '../cobrowse/runtime.js';
import type { BodyOf, ConversationDescriptor } from '../protocol/index.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import type { ConsentStore } from './consent.js';
import type { CobrowseState, ConversationEventDetails, ReplayTargetHandle } from './conversation-state.js';

type ReliableCobrowseType = 'cobrowse.offer' | 'cobrowse.answer' | 'cobrowse.control-request' | 'cobrowse.control-grant' | 'cobrowse.stop';

export function initialCobrowseState(): CobrowseState {
  return { phase: 'idle', control: 'none', live: false };
}

type CobrowseEvents = Pick<ConversationEventDetails, 'cobrowse-offer' | 'cobrowse-answer' | 'cobrowse-control' | 'cobrowse-stop' | 'cobrowse-action'> & {
  change: { cobrowse: CobrowseState };
};

export interface CobrowseSessionOptions {
  /** Customer: batch window of the recorder (ms). */
  batchMs?: number;
  /** Customer: control ends after this long without an agent action (default 2 min). */
  controlIdleMs?: number;
  /** Customer: more elements never to record, on top of `[data-vc-block]` and our own UI. */
  blockSelector?: string;
  /** Agent: ask for a full snapshot again after this long without one (ms). */
  resyncRetryMs?: number;
}

/** Replay events kept for a view attached later; past this a fresh snapshot is cheaper. */
const MAX_BUFFERED_EVENTS = 10000;
/** Chunks held while the agent's cobrowse code loads. */
const MAX_PENDING_CHUNKS = 4096;
const RESYNC_MIN_INTERVAL_MS = 1000;

/**
 * Cobrowse of one conversation. State comes from the reliable signals in
 * room order (offer → answer → control-request → control-grant → stop), so a
 * reload replays history into the same consent; what runs (recorder,
 * overlay, replay) is reconciled to that state after history settles.
 *
 * Customer: records this page masked (src/cobrowse/recorder.ts), shows the
 * agent's pointer, and performs the agent's actions only while this very page
 * holds a grant (a grant replayed from an earlier page is revoked: navigation
 * ends control). Agent: reassembles chunks, replays into an attached element,
 * turns gestures into pointer/highlight/action messages.
 */
export class CobrowseSession extends TypedEventTarget<CobrowseEvents> {
  private _state: CobrowseState = initialCobrowseState();
  private readonly offs: Array<() => void> = [];
  private disposed = false;
  private reconcileTimer?: ReturnType<typeof setTimeout>;
  /** Ids of signals this page sent (vs. replayed from an earlier page). */
  private readonly sentHere = new Set<string>();
  // customer
  private customerRt?: CustomerRuntime;
  private recorder?: CobrowseRecorder;
  private overlay?: PointerOverlay;
  private controlHere = false;
  private staleGrant?: string;
  private idleTimer?: ReturnType<typeof setTimeout>;
  private lastResyncServed = 0;
  private readonly pageListeners = new Map<string, EventListener>();
  // agent (the reassembly and replay code loads with the first chunk or view)
  private agentSide?: { rt: AgentRuntime; reassembler: Reassembler; sequencer: BatchSequencer };
  private agentLoading?: Promise<void>;
  private pendingChunks: ChunkBody[] = [];
  private decodeChain: Promise<void> = Promise.resolve();
  private buffer: RecordedEvent[] = [];
  private target?: { el: HTMLElement; highlight: boolean; replayer?: CobrowseReplayer };
  private resyncTimer?: ReturnType<typeof setInterval>;
  private lastResyncAsked = 0;

  constructor(
    private readonly chat: ChatSession,
    private readonly descriptor: ConversationDescriptor,
    /** Customer: recording runs only while this browser's person consented (the click on Share). */
    private readonly consent: ConsentStore,
    private readonly options: CobrowseSessionOptions = {},
    /** The other side's display name as the conversation knows it now. */
    private readonly peerName: () => string | undefined = () => descriptor.peer?.display,
  ) {
    super();
    this.offs.push(chat.on('signal', ({ message, mine }) => this.onSignal(message, mine)));
  }

  get state(): CobrowseState {
    return this._state;
  }

  private get role() {
    return this.descriptor.self.role;
  }

  // ---- actions ---------------------------------------------------------------------------

  offer(): void {
    if (this.role !== 'agent') throw new Error('only the agent offers cobrowse');
    if (this._state.phase === 'offered' || this._state.phase === 'active') return;
    this.send('cobrowse.offer', {});
  }

  answer(accept: boolean): void {
    const offerId = this._state.offerId;
    if (this.role !== 'customer' || this._state.phase !== 'asked' || !offerId) throw new Error('no cobrowse offer to answer');
    if (accept) this.setLocalConsent(true);
    this.send('cobrowse.answer', { offerId, accept });
  }

  private setLocalConsent(on: boolean): void {
    const record = this.consent.load(this.descriptor.id);
    if ((record.cobrowse === true) === on) return;
    if (on) record.cobrowse = true;
    else delete record.cobrowse;
    this.consent.save(this.descriptor.id, record);
  }

  requestControl(): void {
    if (this.role !== 'agent') throw new Error('only the agent asks for control');
    if (this._state.phase !== 'active') throw new Error('cobrowse is not running');
    if (this._state.control !== 'none') return;
    this.send('cobrowse.control-request', {});
  }

  answerControl(granted: boolean): void {
    const { control, requestId } = this._state;
    if (this.role !== 'customer' || !requestId) throw new Error('no control request to answer');
    if (control === 'asked' || (control === 'granted' && !granted)) {
      this.send('cobrowse.control-grant', { requestId, granted });
      return;
    }
    if (control === 'none' && !granted) return; // already revoked
    throw new Error('no control request to answer');
  }

  stop(reason?: string): void {
    if (this._state.phase === 'idle') return;
    this.send('cobrowse.stop', reason ? { reason: reason.slice(0, 200) } : {});
  }

  /** Agent: replays into `el` from now on (the latest full snapshot at once, if any). */
  attachReplayTarget(el: HTMLElement): ReplayTargetHandle {
    if (this.role !== 'agent') throw new Error('only the agent replays the customer’s page');
    this.detachTarget();
    const target: NonNullable<CobrowseSession['target']> = { el, highlight: false };
    this.target = target;
    void this.loadAgentSide().then(() => this.mountReplayer(target));
    return {
      setHighlightMode: (on) => {
        target.highlight = on;
        target.replayer?.setHighlightMode(on);
      },
      get iframe() {
        return target.replayer?.iframe;
      },
      detach: () => {
        if (this.target === target) this.detachTarget();
      },
    };
  }

  /** Customer: the running recorder (tests and diagnostics). */
  get recording(): CobrowseRecorder | undefined {
    return this.recorder?.recording ? this.recorder : undefined;
  }

  /** Customer: sends what the recorder holds now; resolves when it went out (bench and tests). */
  flush(): Promise<void> {
    return this.recorder?.flush() ?? Promise.resolve();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.reconcileTimer);
    for (const off of this.offs) off();
    this.stopCustomerSide();
    this.stopAgentSide();
    this.detachTarget();
  }

  // ---- signals ---------------------------------------------------------------------------

  private send<T extends ReliableCobrowseType>(type: T, body: BodyOf<T>): void {
    const env = this.chat.sendSignal(type, body);
    this.sentHere.add(env.id);
  }

  private fromRole(mine: boolean): 'agent' | 'customer' {
    return mine ? this.role : this.role === 'agent' ? 'customer' : 'agent';
  }

  private onSignal(m: SignalMessage, mine: boolean): void {
    if (this.disposed) return;
    const from = this.fromRole(mine);
    switch (m.type) {
      case 'cobrowse.offer': {
        if (from !== 'agent' || this._state.phase === 'active') return;
        this.update({ phase: this.role === 'agent' ? 'offered' : 'asked', offerId: m.id, control: 'none', requestId: undefined, answer: undefined, error: undefined });
        this.emit('cobrowse-offer', { offerId: m.id });
        break;
      }
      case 'cobrowse.answer': {
        if (from !== 'customer') return;
        const { offerId, accept } = m.body;
        const pending = this._state.phase === 'offered' || this._state.phase === 'asked';
        // An answer to the offer we know, or (history cut short) a customer's consent whose offer scrolled away.
        if (!(pending && this._state.offerId === offerId) && !(accept && this._state.phase === 'idle' && this._state.offerId === undefined)) return;
        this.emit('cobrowse-answer', { offerId, accept });
        if (accept) this.update({ phase: 'active', offerId, answer: { offerId, accept }, ended: undefined });
        else this.update({ phase: 'idle', offerId: undefined, answer: { offerId, accept } });
        this.scheduleReconcile();
        break;
      }
      case 'cobrowse.control-request': {
        if (from !== 'agent' || this._state.phase !== 'active') return;
        this.update({ control: this.role === 'agent' ? 'requested' : 'asked', requestId: m.id });
        this.emit('cobrowse-control', { requestId: m.id, control: 'requested' });
        break;
      }
      case 'cobrowse.control-grant': {
        if (from !== 'customer' || this._state.phase !== 'active' || m.body.requestId !== this._state.requestId) return;
        const was = this._state.control;
        if (m.body.granted) {
          if (was !== 'requested' && was !== 'asked') return;
          if (this.role === 'agent' && !this.sentHere.has(m.body.requestId)) {
            // Granted for a request an earlier page of ours made: control starts only from a click in this page.
            this.update({ control: 'none' });
            return;
          }
          if (this.role === 'customer' && !this.sentHere.has(m.id)) {
            // Granted on an earlier page: navigation ended it. Tell the agent once history has settled.
            this.staleGrant = m.body.requestId;
            this.update({ control: 'none' });
            this.scheduleReconcile();
            return;
          }
          this.update({ control: 'granted' });
          this.emit('cobrowse-control', { requestId: m.body.requestId, control: 'granted' });
        } else {
          if (this.staleGrant === m.body.requestId) this.staleGrant = undefined;
          if (was === 'none') return;
          this.update({ control: 'none' });
          this.emit('cobrowse-control', { requestId: m.body.requestId, control: was === 'granted' ? 'revoked' : 'denied' });
        }
        this.applyControl();
        break;
      }
      case 'cobrowse.stop': {
        if (this._state.phase === 'idle') return;
        const reason = m.body.reason;
        this.staleGrant = undefined;
        this.update({ phase: 'idle', control: 'none', requestId: undefined, offerId: undefined, live: false, page: undefined, ended: { by: from, ...(reason ? { reason } : {}) } });
        this.emit('cobrowse-stop', { stopId: m.id, by: from, ...(reason ? { reason } : {}) });
        // Consent was for this cobrowse: the next offer asks again.
        if (this.role === 'customer') this.setLocalConsent(false);
        this.applyControl();
        // Stopping is immediate; starting waits for history to settle.
        this.stopCustomerSide();
        this.stopAgentSide();
        this.target?.replayer?.clear();
        break;
      }
      case 'cobrowse.chunk':
        if (this.role === 'agent' && this._state.phase === 'active') this.onChunk(m.body);
        break;
      case 'cobrowse.resync':
        if (this.role === 'customer' && this._state.phase === 'active') this.onResync();
        break;
      case 'cobrowse.pointer':
        if (this.role === 'customer' && this._state.phase === 'active') this.overlay?.movePointer(m.body.x, m.body.y);
        break;
      case 'cobrowse.highlight':
        if (this.role === 'customer' && this._state.phase === 'active') this.onHighlight(m.body.stream, m.body.node);
        break;
      case 'cobrowse.action':
        if (this.role === 'customer') this.onAction(m.body);
        break;
    }
  }

  private scheduleReconcile(): void {
    clearTimeout(this.reconcileTimer);
    // Like video: let a burst of replayed history settle before anything starts.
    this.reconcileTimer = setTimeout(() => void this.reconcile(), 60);
  }

  private async reconcile(): Promise<void> {
    if (this.disposed) return;
    const active = this._state.phase === 'active';
    if (this.role === 'customer') {
      if (this.staleGrant && this.staleGrant === this._state.requestId && active) {
        const requestId = this.staleGrant;
        this.staleGrant = undefined;
        this.send('cobrowse.control-grant', { requestId, granted: false });
      }
      // The signals say cobrowse runs; only this browser's own consent lets this page be recorded.
      if (active && !this.recorder && this.consent.load(this.descriptor.id).cobrowse === true) await this.startRecording();
      if (!active) this.stopCustomerSide();
    } else {
      if (active) this.startResyncTimer();
      else this.stopAgentSide();
    }
  }

  // ---- customer side -----------------------------------------------------------------------

  private async startRecording(): Promise<void> {
    let rt: CustomerRuntime;
    try {
      rt = this.customerRt ??= await loadCustomerRuntime();
    } catch (e) {
      this.update({ error: `This page could not be shared: ${e instanceof Error ? e.message : String(e)}` });
      this.stop('recording failed');
      return;
    }
    if (this.disposed || this._state.phase !== 'active' || this.recorder) return;
    const recorder = new rt.CobrowseRecorder({
      send: (chunk) => this.chat.sendEphemeral('cobrowse.chunk', chunk),
      batchMs: this.options.batchMs,
      blockSelector: this.options.blockSelector,
      onError: () => { /* rrweb keeps going after a failed observer; nothing to tell the user */ },
    });
    this.recorder = recorder;
    this.overlay ??= new rt.PointerOverlay(this.peerName() ?? 'Agent');
    this.listenPage('pagehide', () => {
      // Best effort: the next page revokes anyway (its history shows a grant it did not make).
      if (this.controlHere) this.revokeControl();
    });
    try {
      await recorder.start();
      if (this.recorder === recorder) this.update({ live: true, error: undefined });
    } catch (e) {
      if (this.recorder !== recorder) return;
      this.update({ error: `This page could not be shared: ${e instanceof Error ? e.message : String(e)}` });
      this.stop('recording failed');
    }
  }

  private stopCustomerSide(): void {
    this.controlHere = false;
    clearTimeout(this.idleTimer);
    this.recorder?.stop();
    this.recorder = undefined;
    this.overlay?.dispose();
    this.overlay = undefined;
    for (const [type, listener] of this.pageListeners) globalThis.removeEventListener?.(type, listener, true);
    this.pageListeners.clear();
    if (this.role === 'customer' && this._state.live) this.update({ live: false });
  }

  private listenPage(type: string, listener: EventListener): void {
    if (this.pageListeners.has(type)) return;
    this.pageListeners.set(type, listener);
    globalThis.addEventListener?.(type, listener, true);
  }

  private unlistenPage(type: string): void {
    const l = this.pageListeners.get(type);
    if (!l) return;
    globalThis.removeEventListener?.(type, l, true);
    this.pageListeners.delete(type);
  }

  /** Customer: control runs on this page only while this page granted it. */
  private applyControl(): void {
    if (this.role === 'agent') {
      this.target?.replayer?.setInteractive(this._state.control === 'granted');
      return;
    }
    const on = this._state.control === 'granted' && this._state.phase === 'active';
    this.controlHere = on;
    clearTimeout(this.idleTimer);
    if (on) {
      this.listenPage('keydown', (e) => {
        if ((e as KeyboardEvent).key === 'Escape') this.revokeControl();
      });
      this.touchIdle();
    } else {
      this.unlistenPage('keydown');
    }
  }

  private revokeControl(): void {
    if (!this.controlHere) return;
    // Stop acting at once, before the message makes its round trip.
    this.controlHere = false;
    this.answerControl(false);
  }

  private touchIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.revokeControl(), this.options.controlIdleMs ?? 120_000);
  }

  private onResync(): void {
    const now = Date.now();
    if (now - this.lastResyncServed < RESYNC_MIN_INTERVAL_MS) return;
    this.lastResyncServed = now;
    this.recorder?.takeFullSnapshot();
  }

  private onHighlight(stream: string, node: number): void {
    const rec = this.recorder;
    if (!rec || rec.stream !== stream || !this.overlay) return;
    const target = rec.nodeFor(node);
    const el = target?.nodeType === 1 ? (target as Element) : target?.parentElement;
    if (el) this.overlay.highlightElement(el);
  }

  private onAction(body: { stream: string; kind: 'click' | 'input'; node: number; value?: string }): void {
    const rec = this.recorder;
    const rt = this.customerRt;
    let result: { ok: boolean; reason?: string };
    if (!this.controlHere || this._state.control !== 'granted') result = { ok: false, reason: 'control is not granted' };
    else if (!rec || !rt || rec.stream !== body.stream) result = { ok: false, reason: 'action was aimed at another page' };
    else {
      const r = rt.performAction(body, (id) => rec.nodeFor(id));
      result = r.ok ? { ok: true } : { ok: false, reason: r.reason };
      this.touchIdle();
    }
    this.emit('cobrowse-action', { kind: body.kind, node: body.node, ...result });
  }

  // ---- agent side ------------------------------------------------------------------------

  private loadAgentSide(): Promise<void> {
    this.agentLoading ??= loadAgentRuntime().then(
      (rt) => {
        this.agentSide = { rt, reassembler: new rt.Reassembler(), sequencer: new rt.BatchSequencer() };
        const pending = this.pendingChunks;
        this.pendingChunks = [];
        for (const c of pending) this.onChunk(c);
      },
      (e: unknown) => {
        this.agentLoading = undefined;
        this.update({ error: `The cobrowse view could not load: ${e instanceof Error ? e.message : String(e)}` });
      },
    );
    return this.agentLoading;
  }

  private mountReplayer(target: NonNullable<CobrowseSession['target']>): void {
    const side = this.agentSide;
    if (!side || this.target !== target || target.replayer || this.disposed) return;
    const replayer = new side.rt.CobrowseReplayer(target.el, { onIntent: (i) => this.onIntent(i) });
    target.replayer = replayer;
    replayer.setHighlightMode(target.highlight);
    replayer.setInteractive(this._state.control === 'granted');
    if (this._state.phase !== 'active') return;
    if (this.buffer.length > 0 && side.sequencer.inSync) void replayer.reset(this.buffer.slice());
    else this.askResync(true);
  }

  private detachTarget(): void {
    this.target?.replayer?.dispose();
    this.target = undefined;
  }

  private onChunk(chunk: ChunkBody): void {
    const side = this.agentSide;
    if (!side) {
      if (this.pendingChunks.length < MAX_PENDING_CHUNKS) this.pendingChunks.push(chunk);
      void this.loadAgentSide();
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
          if (this.disposed || this._state.phase !== 'active') return;
          this.onBatch(side, stream, seq, events);
        });
      }
    }
  }

  private onBatch(side: NonNullable<CobrowseSession['agentSide']>, stream: string, seq: number, events: RecordedEvent[]): void {
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
    const meta = [...r.events].reverse().find((e) => e.type === side.rt.EVENT_META);
    const data = meta?.data as { href?: unknown; width?: unknown; height?: unknown } | undefined;
    const page = data && typeof data.href === 'string' && typeof data.width === 'number' && typeof data.height === 'number'
      ? { href: data.href.slice(0, 2048), width: data.width, height: data.height }
      : this._state.page;
    if (!this._state.live || page !== this._state.page) this.update({ live: true, page });
  }

  private askResync(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastResyncAsked < RESYNC_MIN_INTERVAL_MS) return;
    const stream = this.agentSide?.sequencer.stream;
    if (this.chat.sendEphemeral('cobrowse.resync', stream ? { stream } : {})) this.lastResyncAsked = now;
  }

  private startResyncTimer(): void {
    if (this.resyncTimer) return;
    void this.loadAgentSide();
    // Joined late, or the customer's first snapshot went out before we were there: ask until one arrives.
    this.resyncTimer = setInterval(() => {
      if (this._state.phase !== 'active') return;
      if (!this.agentSide?.sequencer.inSync && Date.now() - this.lastResyncAsked >= (this.options.resyncRetryMs ?? 2000)) this.askResync(true);
    }, 500);
  }

  private stopAgentSide(): void {
    clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    this.agentSide?.reassembler.reset();
    this.agentSide?.sequencer.reset();
    this.pendingChunks = [];
    this.buffer = [];
  }

  private onIntent(intent: ReplayIntent): void {
    if (this._state.phase !== 'active') return;
    const stream = this.agentSide?.sequencer.stream;
    switch (intent.kind) {
      case 'pointer':
        this.chat.sendEphemeral('cobrowse.pointer', { x: intent.x, y: intent.y });
        break;
      case 'highlight':
        if (stream) this.chat.sendEphemeral('cobrowse.highlight', { stream, node: intent.node });
        break;
      case 'click':
        if (stream && this._state.control === 'granted') this.chat.sendEphemeral('cobrowse.action', { stream, kind: 'click', node: intent.node });
        break;
      case 'input':
        if (stream && this._state.control === 'granted') this.chat.sendEphemeral('cobrowse.action', { stream, kind: 'input', node: intent.node, value: intent.value });
        break;
    }
  }

  private update(patch: Partial<CobrowseState>): void {
    this._state = { ...this._state, ...patch };
    this.emit('change', { cobrowse: this._state });
  }
}
