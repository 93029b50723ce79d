/** DOM events of the cobrowse elements (`<cobrowse-consent>`, `<cobrowse-banner>`). */

/** `vc-cobrowse-consent` (from `<cobrowse-consent>`): the customer's answer to a view (`kind: 'view'`) or control request. */
export interface VcCobrowseConsentDetail {
  kind: 'view' | 'control';
  accept: boolean;
}

/** `vc-cobrowse-stop` (from `<cobrowse-banner>`): Stop pressed: `scope: 'control'` takes control back, `'cobrowse'` stops sharing the page. */
export interface VcCobrowseStopDetail {
  scope: 'control' | 'cobrowse';
}

declare global {
  interface HTMLElementEventMap {
    'vc-cobrowse-consent': CustomEvent<VcCobrowseConsentDetail>;
    'vc-cobrowse-stop': CustomEvent<VcCobrowseStopDetail>;
  }
}

/** Dispatches a cobrowse element event in house style (bubbles, composed). */
export function dispatchCobrowseEvent<K extends 'vc-cobrowse-consent' | 'vc-cobrowse-stop'>(
  target: EventTarget,
  type: K,
  detail: K extends 'vc-cobrowse-consent' ? VcCobrowseConsentDetail : VcCobrowseStopDetail,
): boolean {
  return target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}
