// The vc-* event registry (src/components/events.ts): every event is in
// HTMLElementEventMap with its registry detail (checked by the compiler here),
// dispatched in house style, and the events passed on from the core are in it.
// scripts/check-manifest.mjs (npm run lint) checks the same registry against
// the elements' @fires and the README's tables.
import { expect } from '@open-wc/testing';
import { DEFAULT_FORWARDED_EVENTS, dispatchVcEvent, VC_EVENTS, type ForwardedEvents, type VcEventMap, type VcEventName } from '../../src/components/events.js';

/** true when A and B are the same type. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;

// Compile-time: each registry name is in HTMLElementEventMap as CustomEvent<its detail>.
const typedInDom: { [K in VcEventName]: Same<HTMLElementEventMap[K], CustomEvent<VcEventMap[K]>> } = {
  'vc-message-sent': true,
  'vc-message-received': true,
  'vc-conversation-state': true,
  'vc-protocol-error': true,
  'vc-video-invite': true,
  'vc-invite-answer': true,
  'vc-video-start': true,
  'vc-video-end': true,
  'vc-media-state': true,
  'vc-call-quality': true,
  'vc-page-push': true,
  'vc-page-refused': true,
  'vc-page-opened': true,
  'vc-customer-search': true,
  'vc-customer-link': true,
  'vc-customer-linked': true,
  'vc-cobrowse-offer': true,
  'vc-cobrowse-answer': true,
  'vc-cobrowse-control': true,
  'vc-cobrowse-end': true,
  'vc-cobrowse-action': true,
  'vc-panel-toggle': true,
  'vc-offline-message': true,
  'vc-compose': true,
  'vc-typing': true,
  'vc-page-open-request': true,
  'vc-mute-request': true,
  'vc-pause-request': true,
  'vc-end-request': true,
  'vc-device-request': true,
  'vc-invite-respond': true,
  'vc-cobrowse-consent': true,
  'vc-cobrowse-stop': true,
  'vc-menu-select': true,
  'vc-agent-session': true,
  'vc-agent-presence': true,
  'vc-conversation-select': true,
  'vc-console-notify': true,
};

// Compile-time: a forward map naming an event outside the registry, or one whose detail does not fit, is an error.
// @ts-expect-error 'vc-video-started' is not in the registry
const undeclared: ForwardedEvents = { 'video-start': 'vc-video-started' };
// @ts-expect-error vc-typing's detail ({active}) cannot carry video-start's
const misfit: ForwardedEvents = { 'video-start': 'vc-typing' };

describe('vc-* event registry', () => {
  it('declares every name once, at run time as in the types', () => {
    expect(Object.keys(typedInDom).sort()).to.deep.equal(Object.keys(VC_EVENTS).sort());
    for (const name of Object.keys(VC_EVENTS)) expect(name).to.match(/^vc-[a-z]+(-[a-z]+)*$/);
  });

  it('dispatches CustomEvents with an object detail, bubbling, composed, cancelable as declared', () => {
    const target = document.createElement('div');
    const seen: CustomEvent[] = [];
    for (const name of Object.keys(VC_EVENTS) as VcEventName[]) target.addEventListener(name, (e) => seen.push(e as CustomEvent));
    dispatchVcEvent(target, 'vc-typing', { active: true });
    dispatchVcEvent(target, 'vc-page-push', { url: 'https://example.test/' });
    expect(seen.map((e) => [e.type, e.bubbles, e.composed, e.cancelable])).to.deep.equal([
      ['vc-typing', true, true, false],
      ['vc-page-push', true, true, true],
    ]);
    const vetoed = (e: Event) => e.preventDefault();
    target.addEventListener('vc-customer-link', vetoed);
    expect(dispatchVcEvent(target, 'vc-customer-link', { customerId: 'c', name: 'n', conversationId: 'x' })).to.equal(false);
  });

  it('passes on from the core only events of the registry (the five cobrowse ones included)', () => {
    const forwarded: string[] = Object.values(DEFAULT_FORWARDED_EVENTS);
    expect([undeclared, misfit].length).to.equal(2); // the two maps above exist only to fail compilation
    for (const name of forwarded) expect(VC_EVENTS).to.have.property(name);
    expect(forwarded).to.include.members(['vc-cobrowse-offer', 'vc-cobrowse-answer', 'vc-cobrowse-control', 'vc-cobrowse-end', 'vc-cobrowse-action']);
  });
});
