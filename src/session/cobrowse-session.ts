import type { ReliableSignalType, SignalChannel, SignalMessage } from '../chat/index.js';
import type { CobrowseRecorder } from '../cobrowse/index.js';
import type { BodyOf, ConversationDescriptor } from '../protocol/index.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import type { AgentCobrowse } from './cobrowse-agent.js';
import type { CustomerCobrowse } from './cobrowse-customer.js';
import type { ConsentStore } from './consent.js';
import type { CobrowseController, CobrowseEventDetails, CobrowseState, ReplayTargetHandle } from './conversation-state.js';
import { LazyPart } from './lazy-part.js';
import { initialCobrowseState, laterReplayTarget, type CobrowseSessionLink, type CobrowseSessionOptions } from './lazy-cobrowse.js';

type ReliableCobrowseType = Extract<ReliableSignalType, `cobrowse.${string}`>;

export { initialCobrowseState, type CobrowseSessionLink, type CobrowseSessionOptions };

/**
 * What a role's half (cobrowse-agent.ts, cobrowse-customer.ts) may use of the
 * session: the state, the channel, and the few actions a half takes itself.
 */
export interface CobrowseContext {
  state(): CobrowseState;
  disposed(): boolean;
  readonly signals: SignalChannel;
  readonly descriptor: ConversationDescriptor;
  readonly consent: ConsentStore;
  readonly options: CobrowseSessionOptions;
  /** The other side's display name as the conversation knows it now. */
  peerName(): string | undefined;
  update(patch: Partial<CobrowseState>): void;
  emit<K extends keyof CobrowseEventDetails & string>(type: K, detail: CobrowseEventDetails[K]): void;
  stop(reason?: string): void;
  answerControl(granted: boolean): void;
}

/** The part of cobrowse that runs on one side only: the customer's recorder, or the agent's replay. */
export interface CobrowseSide {
  /** Whispered cobrowse traffic for this side (chunks, pointer, highlight, actions, resync). */
  onEphemeral(message: SignalMessage): void;
  /** History has settled: start or stop what runs so it matches the state. */
  reconcile(): Promise<void>;
  /** Cobrowse stopped: stop what runs at once. */
  stopped(): void;
  /** Control was granted or taken back. */
  controlChanged(): void;
  dispose(): void;
}

/**
 * Cobrowse of one conversation: the state machine both sides share. State
 * comes from the reliable signals in room order (offer → answer →
 * control-request → control-grant → stop), so a reload replays history into
 * the same consent; what runs (recorder, overlay, replay) is reconciled to
 * that state after history settles, by this side's half: CustomerCobrowse
 * (records this page masked, performs the agent's actions only while this
 * very page holds a grant) or AgentCobrowse (reassembles chunks, replays,
 * turns gestures into pointer, highlight and action messages).
 *
 * A half is imported when this conversation first sees a cobrowse signal
 * (or the agent's view attaches), so a chat that never cobrowses downloads
 * neither half, and each role only its own. What the half is asked to do
 * while its module loads is kept and done in the same order once it is there.
 */
export class CobrowseSession extends TypedEventTarget<CobrowseEventDetails> implements CobrowseController {
  private _state: CobrowseState = initialCobrowseState();
  private bound?: CobrowseSessionLink;
  /** This role's half, imported on first use; what it is asked while it loads is done in order once it is there. */
  private sides?: LazyPart<CobrowseSide>;
  private readonly offs: Array<() => void> = [];
  private disposed = false;
  private reconcileTimer?: ReturnType<typeof setTimeout>;
  /** Ids of signals this page sent (vs. replayed from an earlier page). */
  private readonly sentHere = new Set<string>();
  /** Customer: a grant made on an earlier page (navigation ended it), to revoke once history settled. */
  private staleGrant?: string;

  constructor(
    private readonly options: CobrowseSessionOptions = {},
    /** The other side's display name as the conversation knows it now. */
    private readonly peerName: () => string | undefined = () => this.bound?.descriptor.peer?.display,
  ) {
    super();
  }

  /** Cobrowse is usable once the conversation connects (bind); until then it is idle and actions throw. */
  bind(link: CobrowseSessionLink): void {
    if (this.bound) throw new Error('CobrowseSession is already bound to a conversation');
    if (this.disposed) return;
    this.bound = link;
    const context: CobrowseContext = {
      state: () => this._state,
      disposed: () => this.disposed,
      signals: link.signals,
      descriptor: link.descriptor,
      consent: link.consent,
      options: this.options,
      peerName: () => this.peerName(),
      update: (patch) => this.update(patch),
      emit: (type, detail) => this.emit(type, detail),
      stop: (reason) => this.stop(reason),
      answerControl: (granted) => this.answerControl(granted),
    };
    this.sides = new LazyPart<CobrowseSide>(
      async () =>
        context.descriptor.self.role === 'customer'
          ? new (await import('./cobrowse-customer.js')).CustomerCobrowse(context)
          : new (await import('./cobrowse-agent.js')).AgentCobrowse(context),
      // Could not load (offline): a running cobrowse cannot go on without it (the next use tries again).
      (e) => {
        if (this._state.phase !== 'idle') this.stop(`cobrowse could not load: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
    this.offs.push(link.signals.on('signal', ({ message, mine }) => this.onSignal(message, mine)));
  }

  get state(): CobrowseState {
    return this._state;
  }

  private get link(): CobrowseSessionLink {
    if (!this.bound) throw new Error('not connected');
    return this.bound;
  }

  private get role() {
    return this.link.descriptor.self.role;
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
    if (!this.bound || this._state.phase === 'idle') return;
    this.send('cobrowse.stop', reason ? { reason: reason.slice(0, 200) } : {});
  }

  /** Agent: replays into `el` from now on (the latest full snapshot at once, if any). */
  attachReplayTarget(el: HTMLElement): ReplayTargetHandle {
    if (this.role !== 'agent') throw new Error('only the agent replays the customer’s page');
    const side = this.sides?.current;
    if (side) return (side as AgentCobrowse).attachReplayTarget(el);
    // The agent's half is still loading.
    return laterReplayTarget<CobrowseSide>((use) => this.withSide(use), (loaded) => (loaded as AgentCobrowse).attachReplayTarget(el));
  }

  /** Customer: the recorder while this page is being recorded (tests and diagnostics). */
  get recording(): CobrowseRecorder | undefined {
    return this.role === 'customer' ? (this.sides?.current as CustomerCobrowse | undefined)?.recording : undefined;
  }

  /** Customer: sends what the recorder holds now; resolves when it went out (bench and tests). */
  flush(): Promise<void> {
    return this.role === 'customer' && this.sides?.current ? (this.sides.current as CustomerCobrowse).flush() : Promise.resolve();
  }

  /**
   * Runs `use` with this role's half: at once when it is loaded, else once its
   * module is (imported on first use), after everything asked before it.
   */
  private withSide(use: (side: CobrowseSide) => void): void {
    this.sides?.use(use);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.reconcileTimer);
    for (const off of this.offs) off();
    this.sides?.dispose();
  }

  // ---- signals ---------------------------------------------------------------------------

  private setLocalConsent(on: boolean): void {
    const { consent, descriptor } = this.link;
    const record = consent.load(descriptor.id);
    if ((record.cobrowse === true) === on) return;
    if (on) record.cobrowse = true;
    else delete record.cobrowse;
    consent.save(descriptor.id, record);
  }

  private send<T extends ReliableCobrowseType>(type: T, body: BodyOf<T>): void {
    const env = this.link.signals.sendSignal(type, body);
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
        // Fetch this side's half now, while the offer is on screen: nothing of it runs before the answer.
        this.withSide(() => {});
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
        this.withSide((side) => side.controlChanged());
        break;
      }
      case 'cobrowse.stop': {
        if (this._state.phase === 'idle') return;
        const reason = m.body.reason;
        this.staleGrant = undefined;
        this.update({ phase: 'idle', control: 'none', requestId: undefined, offerId: undefined, live: false, page: undefined, lastAction: undefined, ended: { by: from, ...(reason ? { reason } : {}) } });
        this.emit('cobrowse-stop', { stopId: m.id, by: from, ...(reason ? { reason } : {}) });
        // Consent was for this cobrowse: the next offer asks again.
        if (this.role === 'customer') this.setLocalConsent(false);
        // Stopping is immediate (as soon as the half is there); starting waits for history to settle.
        this.withSide((side) => {
          side.controlChanged();
          side.stopped();
        });
        break;
      }
      case 'cobrowse.chunk':
      case 'cobrowse.resync':
      case 'cobrowse.pointer':
      case 'cobrowse.highlight':
      case 'cobrowse.action':
      case 'cobrowse.action-result':
        this.withSide((side) => side.onEphemeral(m));
        break;
    }
  }

  private scheduleReconcile(): void {
    clearTimeout(this.reconcileTimer);
    // Like video: let a burst of replayed history settle before anything starts.
    this.reconcileTimer = setTimeout(() => this.reconcile(), 60);
  }

  private reconcile(): void {
    if (this.disposed) return;
    if (this.role === 'customer' && this.staleGrant && this.staleGrant === this._state.requestId && this._state.phase === 'active') {
      const requestId = this.staleGrant;
      this.staleGrant = undefined;
      this.send('cobrowse.control-grant', { requestId, granted: false });
    }
    this.withSide((side) => void side.reconcile());
  }

  private update(patch: Partial<CobrowseState>): void {
    this._state = { ...this._state, ...patch };
    this.emit('change', { cobrowse: this._state });
  }
}
