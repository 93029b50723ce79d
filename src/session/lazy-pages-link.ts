import type { SignalChannel } from '../chat/index.js';
import type { ConversationDescriptor, PagePushPolicy } from '../protocol/index.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import type { LinkController, LinkEventDetails, LinkState, PagesController, PagesEventDetails, PagesState, TranscriptEntry, TranscriptPageCard } from './conversation-state.js';
import type { TranscriptHost } from './feature-host.js';
import { LazyPart, relaySignals } from './lazy-part.js';
import type { PagePush } from './page-push.js';
import type { CustomerLinkSession } from './customer-link.js';

const NO_PAGES: PagesState = { pages: [] };

/** The page cards of a transcript, as one PagesState per distinct list (a getter that remembers the last). */
export function pagesState(host: Pick<TranscriptHost, 'transcript'>): () => PagesState {
  let cache: { transcript: readonly TranscriptEntry[]; state: PagesState } = { transcript: [], state: NO_PAGES };
  return () => {
    const transcript = host.transcript();
    if (cache.transcript !== transcript) {
      const pages = transcript.filter((e): e is TranscriptPageCard => e.kind === 'page');
      const same = pages.length === cache.state.pages.length && pages.every((p, i) => p === cache.state.pages[i]);
      cache = { transcript, state: same ? cache.state : { pages } };
    }
    return cache.state;
  };
}

/**
 * A feature whose module is imported on the first signal of its own (or, on
 * the agent's side, at connect: the agent's actions throw their refusals at
 * the click). Signals that arrive meanwhile reach it in room order.
 */
function lazyFeature<T extends { dispose(): void }>(
  signals: SignalChannel,
  descriptor: ConversationDescriptor,
  prefix: string,
  make: (channel: SignalChannel) => Promise<T>,
): { part: LazyPart<T>; off: () => void } {
  const relay = relaySignals(signals);
  const part = new LazyPart(() => make(relay.channel));
  const off = signals.on('signal', ({ message, mine }) => {
    if (message.type.startsWith(prefix)) part.use(() => relay.deliver(message, mine));
  });
  if (descriptor.self.role === 'agent') part.use(() => {});
  return { part, off };
}

const PAGE_EVENTS: readonly (keyof PagesEventDetails)[] = ['change', 'page-push', 'page-refused', 'page-opened'];

/**
 * `conversation.pages`: a PagePush (page-push.ts, with the URL rules) whose
 * code is a chunk of its own, imported on the customer's side with the first
 * pushed page (at connect when the stored transcript already has one). Its
 * state is read from the transcript, so it is right before the code is there.
 */
export class LazyPagePush extends TypedEventTarget<PagesEventDetails> implements PagesController {
  private part?: LazyPart<PagePush>;
  private off?: () => void;
  private readonly pages: () => PagesState;

  constructor(
    private readonly host: TranscriptHost,
    private readonly policy?: PagePushPolicy,
  ) {
    super();
    this.pages = pagesState(host);
  }

  bind(signals: SignalChannel, descriptor: ConversationDescriptor): void {
    ({ part: this.part, off: this.off } = lazyFeature(signals, descriptor, 'page.', async (channel) => {
      const { PagePush } = await import('./page-push.js');
      const pages = new PagePush(this.host, this.policy);
      for (const type of PAGE_EVENTS) pages.on(type, (detail) => this.emit(type, detail as never));
      pages.bind(channel, descriptor);
      return pages;
    }));
    // A card from an earlier page of this tab can be clicked before any signal arrives.
    if (this.pages().pages.length) this.part!.use(() => {});
  }

  get state(): PagesState {
    return this.pages();
  }

  push(url: string, title?: string): void {
    if (this.part?.current) return this.part.current.push(url, title);
    if (!this.part) throw new Error('not connected');
    this.part.use((pages) => pages.push(url, title));
  }

  open(pushId: string): { url: string; sameOrigin: boolean } {
    // A card is only there once the code that made it is.
    const pages = this.part?.current;
    if (!pages) throw new Error('no such page');
    return pages.open(pushId);
  }

  dispose(): void {
    this.off?.();
    this.part?.dispose();
  }
}

const NO_LINK: LinkState = {};
const LINK_EVENTS: readonly (keyof LinkEventDetails)[] = ['change', 'customer-linked'];

/** `conversation.link`: a CustomerLinkSession (customer-link.ts) imported on the customer's side with the first link signal. */
export class LazyCustomerLink extends TypedEventTarget<LinkEventDetails> implements LinkController {
  private part?: LazyPart<CustomerLinkSession>;
  private off?: () => void;

  constructor(private readonly host: TranscriptHost) {
    super();
  }

  bind(signals: SignalChannel, descriptor: ConversationDescriptor): void {
    ({ part: this.part, off: this.off } = lazyFeature(signals, descriptor, 'customer.', async (channel) => {
      const { CustomerLinkSession } = await import('./customer-link.js');
      const link = new CustomerLinkSession(this.host);
      for (const type of LINK_EVENTS) link.on(type, (detail) => this.emit(type, detail as never));
      link.bind(channel, descriptor);
      return link;
    }));
  }

  get state(): LinkState {
    return this.part?.current?.state ?? NO_LINK;
  }

  linkTo(record: { customerId: string; name: string }): void {
    if (this.part?.current) return this.part.current.linkTo(record);
    if (!this.part) throw new Error('not connected');
    this.part.use((link) => link.linkTo(record));
  }

  dispose(): void {
    this.off?.();
    this.part?.dispose();
  }
}
