/** Collects events of one type fired on `target`. */
export function record<T>(target: EventTarget, type: string): CustomEvent<T>[] {
  const seen: CustomEvent<T>[] = [];
  target.addEventListener(type, (e) => seen.push(e as CustomEvent<T>));
  return seen;
}

/**
 * What has focus inside `el`'s shadow root, by id, part or class. Assertions
 * compare strings, never Elements: a failing assertion whose actual value is an
 * Element stalls web-test-runner while it serialises the error.
 */
export function focused(el: Element): string | null {
  const a = el.shadowRoot!.activeElement;
  return a ? a.id || a.getAttribute('part') || a.className : null;
}
