/**
 * What the customer's page never sends, decided in the customer's browser
 * before anything leaves it:
 *  - passwords, payment fields (`autocomplete="cc-*"`), one-time codes and
 *    anything marked `data-vc-mask`: a constant mask, not even the length;
 *  - every other form value: one `*` per character, unless the field (or an
 *    ancestor) says `data-vc-unmask`;
 *  - `data-vc-block` elements and our own UI (chat widget, banner, consent,
 *    pointer overlay, agent view): not recorded at all, only their box;
 *  - text inside `data-vc-mask` elements: one `*` per character.
 * The same rules refuse remote control of those fields (remote-control.ts).
 */

/** What a secret field shows in the agent's view, whatever its length. */
export const SECRET_MASK = '••••••';

/** Elements of ours that are never recorded: the widget, cobrowse UI, and the agent's view if on the same page. */
export const OWN_UI_SELECTOR = 'customer-chat, video-chat-pane, cobrowse-banner, cobrowse-consent, cobrowse-view, [data-vc-cobrowse-ui]';
/** Never recorded (rrweb blockSelector): marked by the site or ours. */
export const BLOCK_SELECTOR = `[data-vc-block], ${OWN_UI_SELECTOR}`;
/** Text masked character by character (rrweb maskTextSelector). */
export const MASK_TEXT_SELECTOR = '[data-vc-mask]';

const SECRET_AUTOCOMPLETE = new Set(['current-password', 'new-password', 'one-time-code']);

/** Like Element.closest, but climbs out of shadow roots to their hosts (a widget's inner fields belong to the widget). */
export function closestComposed(node: Node | null | undefined, selector: string): Element | null {
  let n: Node | null = node ?? null;
  while (n) {
    if (n.nodeType === 1 && (n as Element).matches(selector)) return n as Element;
    n = n.parentNode ?? (n as ShadowRoot).host ?? null;
  }
  return null;
}

/** Whether an `autocomplete` value names a secret (payment card, password, one-time code). */
export function isSecretAutocomplete(value: string | null | undefined): boolean {
  return (value ?? '').toLowerCase().split(/\s+/).filter(Boolean).some((t) => t.startsWith('cc-') || SECRET_AUTOCOMPLETE.has(t));
}

/**
 * Fields whose value must never leave the page in any form: passwords,
 * payment card fields, one-time codes, and fields marked `data-vc-mask`
 * (themselves or through an ancestor).
 */
export function isSecretField(el: Element | null | undefined): boolean {
  if (!el) return true;
  const type = (el.getAttribute('type') ?? '').toLowerCase();
  if (el.localName === 'input' && (type === 'password' || (el as HTMLInputElement).type === 'password')) return true;
  // rrweb marks inputs that were passwords before a "show password" toggle.
  if (el.hasAttribute('data-rr-is-password')) return true;
  if (isSecretAutocomplete(el.getAttribute('autocomplete'))) return true;
  return closestComposed(el, MASK_TEXT_SELECTOR) !== null;
}

/** Not recorded and not controllable: `data-vc-block` (or inside one, shadow roots included) or our own UI. */
export function isBlocked(el: Node | null | undefined, selector = BLOCK_SELECTOR): boolean {
  if (!el) return true;
  return closestComposed(el, selector) !== null;
}

/**
 * rrweb `maskInputFn`: called for every input, textarea and select value
 * (see MASK_INPUT_OPTIONS). Fail-safe: without an element, everything is masked.
 */
export function maskInputValue(text: string, el?: HTMLElement | null): string {
  if (!text) return '';
  if (!el || isSecretField(el) || isBlocked(el)) return SECRET_MASK;
  if (closestComposed(el, '[data-vc-unmask]')) return text;
  return '*'.repeat(text.length);
}

/**
 * rrweb `maskInputOptions`: the `input`, `textarea` and `select` keys match
 * by tag name, so every input type (including hidden and ones rrweb has no
 * key for) goes through maskInputValue. The type keys are belt and braces.
 */
export const MASK_INPUT_OPTIONS: Record<string, boolean> = Object.fromEntries(
  ['input', 'textarea', 'select', 'password', 'text', 'email', 'tel', 'url', 'search', 'number', 'range', 'color', 'date', 'datetime-local', 'month', 'time', 'week', 'hidden'].map((k) => [k, true]),
);
