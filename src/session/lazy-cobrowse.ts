import type { SignalChannel } from '../chat/index.js';
import type { CobrowseRecorder } from '../cobrowse/index.js';
import type { ConversationDescriptor } from '../protocol/index.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import type { CobrowseSession } from './cobrowse-session.js';
import type { ConsentStore } from './consent.js';
import type { CobrowseController, CobrowseEventDetails, CobrowseState, ReplayTargetHandle } from './conversation-state.js';
import { LazyPart, relaySignals } from './lazy-part.js';

export function initialCobrowseState(): CobrowseState {
  return { phase: 'idle', control: 'none', live: false };
}

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

/** What a CobrowseSession runs on, from connect on. */
export interface CobrowseSessionLink {
  /** The chat, as the channel of cobrowse's signals. */
  signals: SignalChannel;
  descriptor: ConversationDescriptor;
  /** Customer: recording runs only while this browser's person consented (the click on Share). */
  consent: ConsentStore;
}

type ReplayLabels = Parameters<NonNullable<ReplayTargetHandle['setLabels']>>[0];

/**
 * A replay target for a part still loading: `later` runs its callback with
 * the part once it is there, `attach` attaches to it; meanwhile the handle
 * holds what it is told and hands it on.
 */
export function laterReplayTarget<T>(later: (use: (part: T) => void) => void, attach: (part: T) => ReplayTargetHandle): ReplayTargetHandle {
  let inner: ReplayTargetHandle | undefined;
  let detached = false;
  let highlight: boolean | undefined;
  let labels: ReplayLabels | undefined;
  later((part) => {
    if (detached) return;
    inner = attach(part);
    if (highlight !== undefined) inner.setHighlightMode(highlight);
    if (labels) inner.setLabels?.(labels);
  });
  return {
    setHighlightMode: (on) => {
      highlight = on;
      inner?.setHighlightMode(on);
    },
    setLabels: (l) => {
      labels = l;
      inner?.setLabels?.(l);
    },
    get iframe() {
      return inner?.iframe;
    },
    detach: () => {
      detached = true;
      inner?.detach();
    },
  };
}

const EVENTS: readonly (keyof CobrowseEventDetails)[] = ['change', 'cobrowse-offer', 'cobrowse-answer', 'cobrowse-control', 'cobrowse-stop', 'cobrowse-action'];

/**
 * `conversation.cobrowse`: a CobrowseSession (cobrowse-session.ts) whose code
 * is a chunk of its own, imported on the first cobrowse signal (or the
 * agent's offer, or the agent's view attaching), so a chat that never
 * cobrowses downloads none of it. Until then its state is idle; signals that
 * arrive meanwhile reach it in room order (LazyPart), as do actions.
 */
export class LazyCobrowseSession extends TypedEventTarget<CobrowseEventDetails> implements CobrowseController {
  private _state: CobrowseState = initialCobrowseState();
  private part?: LazyPart<CobrowseSession>;
  private role?: ConversationDescriptor['self']['role'];
  private off?: () => void;

  constructor(
    private readonly options: CobrowseSessionOptions = {},
    /** The other side's display name as the conversation knows it now. */
    private readonly peerName?: () => string | undefined,
  ) {
    super();
  }

  bind(link: CobrowseSessionLink): void {
    if (this.part) throw new Error('CobrowseSession is already bound to a conversation');
    this.role = link.descriptor.self.role;
    const relay = relaySignals(link.signals);
    const part = new LazyPart(async () => {
      const { CobrowseSession } = await import('./cobrowse-session.js');
      const cobrowse = new CobrowseSession(this.options, this.peerName);
      for (const type of EVENTS) {
        cobrowse.on(type, (detail) => {
          if (type === 'change') this._state = cobrowse.state;
          this.emit(type, detail as never);
        });
      }
      cobrowse.bind({ ...link, signals: relay.channel });
      return cobrowse;
    });
    this.part = part;
    this.off = link.signals.on('signal', ({ message, mine }) => {
      if (message.type.startsWith('cobrowse.')) part.use(() => relay.deliver(message, mine));
    });
  }

  get state(): CobrowseState {
    return this._state;
  }

  /** The session, once loaded; else why the action cannot be done now (the same refusals CobrowseSession throws). */
  private loaded(agentOnly: string | undefined, notYet: string): CobrowseSession {
    const current = this.part?.current;
    if (current) return current;
    if (!this.part) throw new Error('not connected');
    throw new Error(agentOnly && this.role !== 'agent' ? agentOnly : notYet);
  }

  offer(): void {
    if (this.part?.current) return this.part.current.offer();
    if (!this.part) throw new Error('not connected');
    if (this.role !== 'agent') throw new Error('only the agent offers cobrowse');
    this.part.use((cobrowse) => cobrowse.offer());
  }

  answer(accept: boolean): void {
    // Only a loaded session can have an offer to answer.
    this.loaded(undefined, 'no cobrowse offer to answer').answer(accept);
  }

  requestControl(): void {
    this.loaded('only the agent asks for control', 'cobrowse is not running').requestControl();
  }

  answerControl(granted: boolean): void {
    this.loaded(undefined, 'no control request to answer').answerControl(granted);
  }

  stop(reason?: string): void {
    // Nothing runs before the session is there.
    this.part?.current?.stop(reason);
  }

  attachReplayTarget(el: HTMLElement): ReplayTargetHandle {
    if (this.part?.current) return this.part.current.attachReplayTarget(el);
    if (!this.part) throw new Error('not connected');
    if (this.role !== 'agent') throw new Error('only the agent replays the customer’s page');
    const part = this.part;
    return laterReplayTarget<CobrowseSession>((use) => part.use(use), (cobrowse) => cobrowse.attachReplayTarget(el));
  }

  /** Customer: the recorder while this page is being recorded (tests and diagnostics). */
  get recording(): CobrowseRecorder | undefined {
    return this.part?.current?.recording;
  }

  /** Customer: sends what the recorder holds now; resolves when it went out (bench and tests). */
  flush(): Promise<void> {
    return this.part?.current?.flush() ?? Promise.resolve();
  }

  dispose(): void {
    this.off?.();
    this.part?.dispose();
  }
}
