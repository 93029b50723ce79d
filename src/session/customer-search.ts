import { TypedEventTarget } from '../util/typed-event-target.js';
import { BrokerClient } from './broker-client.js';
import type { LinkController } from './conversation-state.js';
import { english, type Coded } from '../i18n/index.js';
import { useAgentCatalogue } from '../i18n/agent.js';

/** A customer record as lookups return it. */
export interface CustomerMatch {
  customerId: string;
  name: string;
  /** One line shown under the name (e.g. email), optional. */
  detail?: string;
}

type Maybe<T> = T | Promise<T>;

/**
 * Somewhere customer records can be looked up: the host's CRM (the pane
 * asks it with the cancelable `vc-customer-search` event) or the broker.
 */
export interface CustomerDirectory {
  /**
   * Matches for `query`, or undefined when this directory does not answer
   * (the next one is asked). A directory that answers at once may return the
   * matches without a promise.
   */
  search(query: string, signal: AbortSignal): Maybe<readonly CustomerMatch[] | undefined>;
}

/** Where a link is recorded besides the two transcripts (the broker: its queue entry, later grants). */
export interface LinkRecorder {
  recordLink(conversationId: string, record: { customerId: string; name: string }, signal?: AbortSignal): Promise<void>;
}

/** The reference broker's customer lookup and link record, as the signed-in agent (`agentToken`). */
export function brokerCustomers(brokerUrl: string, agentToken: string): CustomerDirectory & LinkRecorder {
  const client = new BrokerClient(brokerUrl);
  return {
    search: async (query, signal) => {
      const records = await client.searchCustomers(query, agentToken, signal);
      return records.map((r) => ({ customerId: r.id, name: r.name, ...(r.email ? { detail: r.email } : {}) }));
    },
    recordLink: (conversationId, record, signal) => client.linkCustomer(conversationId, record, agentToken, signal),
  };
}

export interface CustomerSearchConfig {
  /** Asked in order until one answers. */
  directories: readonly CustomerDirectory[];
  /** Records a link once it is in the chat (optional). */
  recorder?: LinkRecorder;
  /** Asked before linking (the pane fires the cancelable `vc-customer-link`); false vetoes the link. */
  allowLink?: (match: CustomerMatch, conversationId: string) => boolean;
}

export interface CustomerSearchState {
  /** The search form is shown. */
  open: boolean;
  /** What the search or the link says, in words ('' when nothing). */
  status: string;
  /** The same status as a catalogue code (elements render it in the viewer's locale). */
  statusCoded?: Coded;
  matches: readonly CustomerMatch[];
}

const MAX_MATCHES = 20;
const CLOSED: CustomerSearchState = { open: false, status: '', matches: [] };

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The agent's "Link to customer": search the directories, pick a record, link
 * the chat to it (`conversation.link`) and record the link. State + actions,
 * no UI: the pane renders it.
 */
export class CustomerSearch extends TypedEventTarget<{ change: { search: CustomerSearchState } }> {
  private _state: CustomerSearchState = CLOSED;
  private abort?: AbortController;

  /** `config` is read at each search and link, so the host may change its inputs at any time. */
  constructor(private readonly config: () => CustomerSearchConfig) {
    super();
    useAgentCatalogue(); // its texts are agent texts
  }

  get state(): CustomerSearchState {
    return this._state;
  }

  open(): void {
    this.abort?.abort();
    this.update({ open: true, status: '', statusCoded: undefined, matches: [] });
  }

  close(): void {
    this.abort?.abort();
    this.update(CLOSED);
  }

  /** Asks the directories in order; the first that answers gives the matches. */
  async search(query: string): Promise<void> {
    query = query.trim();
    if (!query) return;
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.say({ code: 'search.searching' });
    try {
      for (const directory of this.config().directories) {
        const found = directory.search(query, abort.signal);
        const matches = found instanceof Promise ? await found : found;
        if (abort.signal.aborted) return;
        if (matches) {
          this.say(matches.length ? { code: 'search.found', params: { count: matches.length } } : { code: 'search.none' }, { matches: matches.slice(0, MAX_MATCHES) });
          return;
        }
      }
      this.say({ code: 'search.no-lookup' });
    } catch (err) {
      if (!abort.signal.aborted) this.say({ code: 'search.failed', params: { reason: messageOf(err) } });
    }
  }

  /** Links the chat of `link` (conversation `conversationId`) to `match`; true when it is in the chat. */
  linkTo(link: LinkController, conversationId: string, match: CustomerMatch): boolean {
    const { allowLink, recorder } = this.config();
    if (allowLink && !allowLink(match, conversationId)) {
      this.say({ code: 'search.vetoed' });
      return false;
    }
    const record = { customerId: match.customerId, name: match.name };
    try {
      link.linkTo(record);
    } catch (err) {
      this.say({ code: 'search.link-failed', params: { reason: messageOf(err) } });
      return false;
    }
    this.update({ open: false, matches: [] });
    recorder?.recordLink(conversationId, record).catch((err: unknown) => {
      this.say({ code: 'search.not-recorded', params: { reason: messageOf(err) } });
    });
    return true;
  }

  /** Sets the status as a code, with its English text. */
  private say(coded: Coded, patch: Partial<CustomerSearchState> = {}): void {
    this.update({ ...patch, status: english(coded.code, coded.params as never), statusCoded: coded });
  }

  private update(patch: Partial<CustomerSearchState>): void {
    this._state = { ...this._state, ...patch };
    this.emit('change', { search: this._state });
  }
}
