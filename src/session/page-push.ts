import type { SignalChannel, SignalMessage } from '../chat/index.js';
import { checkPageUrl, type ConversationDescriptor, type PagePushPolicy } from '../protocol/index.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import type { Coded, MessageKey, Params } from '../i18n/index.js';
import type { PagesController, PagesEventDetails, PagesState, TranscriptEntry, TranscriptPageCard } from './conversation-state.js';
import type { TranscriptHost } from './feature-host.js';
import { pagesState } from './lazy-pages-link.js';

/** A page push refused by the URL rules; `message` says why in plain English, `code` and `params` in any language. */
export class PageRefusedError extends Error implements Coded {
  readonly code: MessageKey;
  readonly params: Params;
  constructor(readonly url: string, refusal: { reason: string } & Coded) {
    super(refusal.reason);
    this.name = 'PageRefusedError';
    this.code = refusal.code;
    this.params = refusal.params ?? {};
  }
}


/**
 * Page push of one conversation (`conversation.pages`): the agent sends a web
 * page, both transcripts show it as a card, the customer opens it with a
 * click. The URL rules are checked on both sides and the customer's win: a
 * card that breaks them never appears on the customer's side, and it is
 * checked again at the click.
 */
export class PagePush extends TypedEventTarget<PagesEventDetails> implements PagesController {
  private bound?: { signals: SignalChannel; descriptor: ConversationDescriptor };
  private off?: () => void;
  private readonly pages: () => PagesState;

  constructor(
    private readonly host: TranscriptHost,
    /** Which pushed pages are acceptable (https only by default). */
    private readonly policy?: PagePushPolicy,
  ) {
    super();
    this.pages = pagesState(host);
  }

  bind(signals: SignalChannel, descriptor: ConversationDescriptor): void {
    this.bound = { signals, descriptor };
    this.off = signals.on('signal', ({ message, mine }) => this.onSignal(message, mine));
  }

  dispose(): void {
    this.off?.();
  }

  /** The page cards of the transcript. */
  get state(): PagesState {
    return this.pages();
  }

  push(url: string, title?: string): void {
    const bound = this.bound;
    if (!bound) throw new Error('not connected');
    if (bound.descriptor.self.role !== 'agent') throw new Error('only the agent sends pages');
    const check = checkPageUrl(url, this.policy);
    if (!check.ok) {
      this.emit('page-refused', { url, reason: check.reason });
      throw new PageRefusedError(url, check);
    }
    const cleanTitle = title?.trim().slice(0, 200) || undefined;
    bound.signals.sendSignal('page.push', { url: check.url.href, ...(cleanTitle ? { title: cleanTitle } : {}) });
  }

  open(pushId: string): { url: string; sameOrigin: boolean } {
    const card = this.state.pages.find((p) => p.id === pushId);
    if (!card) throw new Error('no such page');
    // Checked again at the click: the URL rules are the customer's, not the sender's.
    const check = checkPageUrl(card.url, this.policy);
    if (!check.ok) throw new PageRefusedError(card.url, check);
    if (!card.opened) this.bound?.signals.sendSignal('page.opened', { pushId });
    this.markOpened(pushId);
    return { url: check.url.href, sameOrigin: check.url.origin === globalThis.location?.origin };
  }

  private onSignal(m: SignalMessage, mine: boolean): void {
    if (m.type === 'page.push') this.onPush(m.id, m.body.url, m.body.title, m.ts, mine);
    else if (m.type === 'page.opened') this.markOpened(m.body.pushId);
  }

  private onPush(id: string, url: string, title: string | undefined, ts: number, mine: boolean): void {
    const transcript = this.host.transcript();
    if (transcript.some((e) => e.id === id)) return;
    const check = checkPageUrl(url, this.policy);
    if (!check.ok) {
      // The customer's rules win: the card never appears, the refusal is reported.
      this.emit('page-refused', { url, reason: check.reason });
      this.host.protocolError(`pushed page refused: ${check.reason}`);
      return;
    }
    const card: TranscriptPageCard = { kind: 'page', id, url: check.url.href, title, host: check.url.host, ts, mine, opened: false };
    this.host.setTranscript([...transcript, card]);
    this.emit('change', { pages: this.state });
    this.emit('page-push', { pushId: id, url: card.url, title });
  }

  private markOpened(pushId: string): void {
    let url: string | undefined;
    const transcript = this.host.transcript().map((e): TranscriptEntry => {
      if (e.kind !== 'page' || e.id !== pushId || e.opened) return e;
      url = e.url;
      return { ...e, opened: true };
    });
    if (url === undefined) return;
    this.host.setTranscript(transcript);
    this.emit('change', { pages: this.state });
    this.emit('page-opened', { pushId, url });
  }
}
