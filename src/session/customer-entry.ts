import type { ConversationDescriptor } from '../protocol/index.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import { codedOf, english, type Coded } from '../i18n/index.js';
import { BrokerClient, BrokerError, brokerConversationOptions } from './broker-client.js';
import { browserSupport, type BrowserSupport } from './browser-support.js';
import { sessionConsentStore } from './consent.js';
import { Conversation, type ConversationOptions } from './conversation.js';
import { ConversationSlot } from './conversation-slot.js';
import type { ConversationController } from './conversation-state.js';
import { sessionTranscriptStore } from './transcript.js';

/** What survives a reload or same-tab navigation (sessionStorage in the widget). */
export interface StoredConversation {
  id: string;
  resumeKey: string;
  /** Whether the panel was open. */
  open: boolean;
}

/** Storage key of the stored conversation for a broker URL. */
export function storageKeyFor(brokerUrl: string): string {
  return `vc-conversation:${brokerUrl}`;
}

/** A key-value store like sessionStorage; any call may throw (blocked storage), the entry copes. */
export interface EntryStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** This tab's sessionStorage, looked up on each use: in sandboxed frames even reading the property throws. */
export function sessionEntryStorage(): EntryStorage {
  return {
    getItem: (key) => globalThis.sessionStorage.getItem(key),
    setItem: (key, value) => globalThis.sessionStorage.setItem(key, value),
    removeItem: (key) => globalThis.sessionStorage.removeItem(key),
  };
}

export type EntryPhase = 'start' | 'busy' | 'chat' | 'unsupported';

export interface CustomerEntryState {
  /**
   * `start`: the start form; `busy`: talking to the broker; `chat`: a
   * conversation is shown; `unsupported`: this browser cannot chat (no
   * WebRTC data channels), nothing is offered.
   */
  phase: EntryPhase;
  /** While busy: what is going on, in words (English; `busyCoded` says it as a code). */
  busyText: string;
  busyCoded?: Coded;
  /** What went wrong (in English); `retry()` tries again when `retryable`. */
  failure?: { message: string; retryable: boolean };
  /** The same failure as a code, when the entry knows it: an element says it in the viewer's locale. */
  failureCoded?: Coded;
  /** Whether the customer had the chat open (kept across reloads). */
  open: boolean;
  /** The conversation's id, once known (from the broker or from storage). */
  conversationId?: string;
}

export interface CustomerEntryOptions {
  /** Where the stored conversation is kept. Default: this tab's sessionStorage. */
  storage?: EntryStorage;
  /**
   * Makes the entry's own conversation (default: `createConversation` with
   * `entry.conversationOptions()`). Not used while a host-managed controller is set.
   */
  create?: (entry: CustomerEntry) => ConversationController;
  /** The page the chat starts from, sent to the broker (default: this page's URL). */
  page?: () => string | undefined;
  /** What this browser can do (default: `browserSupport()`); without chat the entry stays `unsupported`. */
  support?: BrowserSupport;
}

/** Broker answers meaning "this conversation is gone or no longer yours". */
const GONE = new Set([403, 404, 410]);
const MAX_PAGE_URL = 2048;

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isAbort(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (err instanceof DOMException && err.name === 'AbortError');
}

/**
 * The customer's way into a chat, without any UI: start a conversation
 * through the broker, keep `{id, resumeKey, open}` so a reload or a same-tab
 * navigation resumes it, reconnect after a failure with a fresh descriptor,
 * forget a conversation the broker says is gone (403, 404, 410), start over.
 * State + actions: `<customer-chat>` renders it, and a page API or another
 * framework can drive the same class. Storage is injectable, and a browser
 * where storage throws still chats (it just does not resume after a reload).
 */
export class CustomerEntry extends TypedEventTarget<{ change: { entry: CustomerEntryState } }> {
  /** The conversation shown: own, or the host's `controller`. */
  readonly slot: ConversationSlot;
  /** Signed identity of the site's logged-in user, sent with the start (the broker verifies it). */
  identity?: string;
  private _state: CustomerEntryState = { phase: 'start', busyText: '', open: false };
  private brokerUrl?: string;
  private controller?: ConversationController;
  private configured = false;
  private abort?: AbortController;
  private descriptor?: ConversationDescriptor;
  private retryAction?: () => void;
  private readonly storage: EntryStorage;

  constructor(private readonly options: CustomerEntryOptions = {}) {
    super();
    this.storage = options.storage ?? sessionEntryStorage();
    this.slot = new ConversationSlot(() => (options.create ? options.create(this) : this.defaultCreate()));
  }

  /** Also says when the conversation shown failed for good (its retry reconnects with a fresh descriptor). */
  get state(): CustomerEntryState {
    const s = this._state;
    const conversation = this.slot.controller?.state;
    if (s.failure || s.phase !== 'chat' || conversation?.status !== 'failed') return s;
    if (conversation.error) return { ...s, failure: { message: conversation.error, retryable: true } };
    return { ...s, failure: { message: english('widget.connection-lost'), retryable: true }, failureCoded: { code: 'widget.connection-lost' } };
  }

  /** The conversation shown, if any. */
  get conversation(): ConversationController | undefined {
    return this.slot.controller;
  }

  /**
   * Sets the broker and, optionally, a host-managed conversation, and starts
   * from there: a controller already under way is shown as it is; else a
   * stored conversation is resumed, or the start form is shown. Nothing
   * happens when both are unchanged (call `stop()` first to start again).
   */
  configure(config: { brokerUrl?: string; controller?: ConversationController }): void {
    if (this.configured && config.brokerUrl === this.brokerUrl && config.controller === this.controller) return;
    this.stop();
    this.configured = true;
    this.brokerUrl = config.brokerUrl;
    this.controller = config.controller;
    this.descriptor = undefined;
    const { controller } = config;
    if (controller && controller.state.status !== 'idle') {
      this.slot.use(controller);
      this.update({ phase: 'chat' });
      return;
    }
    if (!controller && !this.canChat()) {
      this.update({ phase: 'unsupported' });
      return;
    }
    if (!config.brokerUrl) {
      this.fail({ code: 'widget.unavailable' });
      this.update({ phase: 'start' });
      return;
    }
    const stored = this.readStored();
    if (stored) {
      if (stored.open) this.update({ open: true });
      void this.resume(stored);
    } else {
      this.update({ phase: 'start', conversationId: undefined });
    }
  }

  /** Starts a new conversation through the broker, as `display` (may be empty). */
  async start(display = ''): Promise<void> {
    if (!this.controller && !this.canChat()) {
      this.update({ phase: 'unsupported' });
      return;
    }
    const signal = this.newSignal();
    this.update({ phase: 'busy', busyText: english('widget.starting'), busyCoded: { code: 'widget.starting' }, failure: undefined, failureCoded: undefined });
    try {
      const page = (this.options.page ?? (() => globalThis.location?.href))()?.slice(0, MAX_PAGE_URL);
      const grant = await this.client().startConversation({ ...(display ? { display } : {}), page, ...(this.identity ? { identity: this.identity } : {}) }, signal);
      if (signal.aborted) return;
      this.writeStored({ id: grant.descriptor.id, resumeKey: grant.resumeKey, open: this._state.open });
      await this.join(grant.descriptor);
    } catch (err) {
      if (isAbort(err, signal)) return;
      this.fail(err, () => void this.start(display));
      this.update({ phase: 'start' });
    }
  }

  /** The entry's own conversation needs WebRTC data channels; a host's controller may carry chat otherwise. */
  private canChat(): boolean {
    return (this.options.support ?? browserSupport()).chat;
  }

  /** Tries again what failed last (start, resume, connect, or the conversation itself). */
  retry(): void {
    if (this.retryAction) this.retryAction();
    else if (this.state.failure?.retryable) this.reconnect();
  }

  /** Forgets the conversation (ended, or the customer wants a new one) and shows the start form. */
  startOver(): void {
    this.stop();
    this.clearStored();
    this.descriptor = undefined;
    this.update({ phase: 'start', conversationId: undefined });
  }

  /** Whether the customer has the chat open: kept with the stored conversation. */
  setOpen(open: boolean): void {
    if (this._state.open === open) return;
    this.update({ open });
    const stored = this.readStored();
    if (stored && stored.open !== open) this.writeStored({ ...stored, open });
  }

  /** Stops whatever runs (broker calls, the own conversation); the stored conversation stays. */
  stop(): void {
    this.configured = false;
    this.abort?.abort();
    this.abort = undefined;
    this.slot.use(undefined);
    this.retryAction = undefined;
    if (this._state.failure) this.update({ failure: undefined, failureCoded: undefined });
  }

  /**
   * What the entry's own conversation needs from the broker: the whole
   * transcript from its record, and a new certificate when this browser lost
   * its signing key (storage cleared), both proven with the stored resume key.
   */
  conversationOptions(): Pick<ConversationOptions, 'registerKey' | 'history' | 'refreshDescriptor'> {
    return brokerConversationOptions((d) => {
      const stored = this.readStored();
      return this.brokerUrl && stored?.id === d.id ? { brokerUrl: this.brokerUrl, bearer: stored.resumeKey } : undefined;
    }, 'This conversation can no longer be resumed here');
  }

  private async resume(stored: StoredConversation): Promise<void> {
    const signal = this.newSignal();
    this.update({ phase: 'busy', busyText: english('widget.resuming'), busyCoded: { code: 'widget.resuming' }, failure: undefined, failureCoded: undefined, conversationId: stored.id });
    try {
      const grant = await this.client().resume(stored.id, stored.resumeKey, signal);
      if (signal.aborted) return;
      this.writeStored({ id: grant.descriptor.id, resumeKey: grant.resumeKey, open: this._state.open });
      await this.join(grant.descriptor);
    } catch (err) {
      if (isAbort(err, signal)) return;
      if (err instanceof BrokerError && GONE.has(err.status)) {
        this.clearStored();
        this.update({ phase: 'start', conversationId: undefined });
        return;
      }
      this.fail(err, () => void this.resume(stored));
    }
  }

  /** Connects to the conversation; a failure to connect is kept with a retry that reconnects. */
  private async join(descriptor: ConversationDescriptor): Promise<void> {
    this.descriptor = descriptor;
    this.slot.use(this.controller);
    const connected = this.slot.connect(descriptor);
    this.update({ phase: 'chat', conversationId: descriptor.id });
    try {
      await connected;
    } catch (err) {
      const reason = messageOf(err);
      this.fail({ code: 'widget.connect-failed', params: { reason } }, () => this.reconnect());
    }
  }

  /** After a failure (or a conversation that failed): fetch a fresh descriptor (tokens may have expired) and connect again. */
  reconnect(): void {
    this.retryAction = undefined;
    this.update({ failure: undefined, failureCoded: undefined });
    this.slot.use(undefined);
    const stored = this.readStored();
    if (stored && this.brokerUrl) void this.resume(stored);
    else if (this.descriptor) void this.join(this.descriptor);
  }

  /** `what`: a code to say, or what was thrown (its code if it has one, else its message as it is). */
  private fail(what: Coded | unknown, retry?: () => void): void {
    this.retryAction = retry;
    const coded = codedOf(what);
    const message = coded ? english(coded.code, coded.params as never) : messageOf(what);
    this.update({ failure: { message, retryable: retry !== undefined }, failureCoded: coded });
  }

  private newSignal(): AbortSignal {
    this.abort?.abort();
    this.abort = new AbortController();
    return this.abort.signal;
  }

  private client(): BrokerClient {
    return new BrokerClient(this.brokerUrl ?? '');
  }

  /** Transcript and consent survive reloads and navigation in this tab, and end with the conversation. */
  private defaultCreate(): ConversationController {
    return new Conversation({ store: sessionTranscriptStore(), consent: sessionConsentStore(), ...this.conversationOptions() });
  }

  // ---- storage: may be unavailable (sandboxed frames, privacy modes); the chat works without it ----

  private readStored(): StoredConversation | undefined {
    if (!this.brokerUrl) return undefined;
    const key = storageKeyFor(this.brokerUrl);
    try {
      const raw = this.storage.getItem(key);
      if (!raw) return undefined;
      const data = JSON.parse(raw) as Partial<StoredConversation> | null;
      if (data && typeof data.id === 'string' && typeof data.resumeKey === 'string') {
        return { id: data.id, resumeKey: data.resumeKey, open: data.open === true };
      }
      this.storage.removeItem(key);
    } catch {
      /* unreadable: treat as absent */
    }
    return undefined;
  }

  private writeStored(value: StoredConversation): void {
    if (!this.brokerUrl) return;
    try {
      this.storage.setItem(storageKeyFor(this.brokerUrl), JSON.stringify(value));
    } catch {
      /* storage full or blocked: the chat still works, it just won't survive a reload */
    }
  }

  private clearStored(): void {
    if (!this.brokerUrl) return;
    try {
      this.storage.removeItem(storageKeyFor(this.brokerUrl));
    } catch {
      /* nothing kept */
    }
  }

  private update(patch: Partial<CustomerEntryState>): void {
    this._state = { ...this._state, ...patch };
    this.emit('change', { entry: this._state });
  }
}
