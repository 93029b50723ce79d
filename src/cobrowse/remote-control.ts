/**
 * Performs the agent's clicks and field fills on the customer's page, once
 * the customer granted control. The agent names an element by its rrweb id;
 * the customer's page decides whether it may be touched. Never: passwords,
 * payment and other secret fields, file inputs, blocked elements, our own UI,
 * scripts or anything that runs code (javascript: links). Only values are
 * set and events dispatched: nothing from the agent is ever evaluated.
 */
import { isBlocked, isSecretField } from './masking.js';

export interface RemoteAction {
  kind: 'click' | 'input';
  node: number;
  value?: string;
}

export type ActionResult = { ok: true; element: Element } | { ok: false; reason: string };

const NEVER_TOUCH = new Set(['script', 'style', 'link', 'meta', 'iframe', 'frame', 'object', 'embed', 'template', 'html', 'head', 'body', 'base', 'noscript']);
const CLICKABLE_ROLES = new Set(['button', 'link', 'tab', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'checkbox', 'radio', 'switch', 'option', 'treeitem']);
const TEXT_INPUT_TYPES = new Set(['', 'text', 'email', 'tel', 'url', 'search', 'number', 'date', 'datetime-local', 'month', 'time', 'week', 'color', 'range']);
const NO_CLICK_INPUT_TYPES = new Set(['file', 'password', 'hidden', 'image']);

/** Why `el` may not be touched at all, or undefined if it may. */
export function forbiddenReason(el: Element): string | undefined {
  if (!el.isConnected) return 'element is gone';
  if (NEVER_TOUCH.has(el.localName)) return `<${el.localName}> is never touched`;
  if (isBlocked(el)) return 'element is blocked from cobrowse';
  if (isSecretField(el)) return 'secret fields (password, payment, masked) are never touched';
  if (el.localName === 'input' && NO_CLICK_INPUT_TYPES.has((el as HTMLInputElement).type)) return `${(el as HTMLInputElement).type} inputs are never touched`;
  if ((el as HTMLElement).closest?.('[inert]')) return 'element is inert';
  return undefined;
}

function isClickable(el: Element): boolean {
  const name = el.localName;
  if (name === 'button' || name === 'select' || name === 'textarea' || name === 'summary' || name === 'label' || name === 'option' || name === 'details') return true;
  if (name === 'input') return true;
  if (name === 'a') return el.hasAttribute('href');
  const role = el.getAttribute('role');
  if (role && CLICKABLE_ROLES.has(role)) return true;
  return el.hasAttribute('tabindex');
}

function isDisabled(el: Element): boolean {
  return (el as HTMLButtonElement).disabled === true || el.closest('fieldset:disabled') !== null || el.getAttribute('aria-disabled') === 'true';
}

/**
 * Performs `action` on the element `resolve(action.node)` returns (the
 * recorder's mirror), after the checks above. Clicks on a text node or a
 * child of a button go to the nearest clickable ancestor.
 */
export function performAction(action: RemoteAction, resolve: (id: number) => Node | null): ActionResult {
  const node = resolve(action.node);
  // Duck-typed: the page may live in another realm than this module.
  let el: Element | null = node?.nodeType === 1 ? (node as Element) : (node?.parentElement ?? null);
  if (!el) return { ok: false, reason: 'no such element on this page' };
  if (action.kind === 'click') {
    const target: Element | null = isClickable(el) ? el : el.closest('button, a[href], label, summary, [role], [tabindex], input, select, textarea');
    if (!target) return { ok: false, reason: `<${el.localName}> is not something to click` };
    el = target;
  }
  const forbidden = forbiddenReason(el);
  if (forbidden) return { ok: false, reason: forbidden };
  if (isDisabled(el)) return { ok: false, reason: 'element is disabled' };
  if (action.kind === 'click') {
    if (el.localName === 'a') {
      const href = (el as HTMLAnchorElement).href;
      let protocol: string;
      try {
        protocol = new URL(href, el.ownerDocument.baseURI).protocol;
      } catch {
        return { ok: false, reason: 'link has no valid address' };
      }
      if (protocol !== 'http:' && protocol !== 'https:') return { ok: false, reason: `${protocol} links are never followed` };
    }
    (el as HTMLElement).click();
    return { ok: true, element: el };
  }
  return fill(el, action.value ?? '');
}

function fill(el: Element, value: string): ActionResult {
  if ((el as HTMLInputElement).readOnly) return { ok: false, reason: 'field is read-only' };
  const win = el.ownerDocument.defaultView;
  if (!win) return { ok: false, reason: 'element is gone' };
  if (el.localName === 'input') {
    const type = (el as HTMLInputElement).type;
    if (!TEXT_INPUT_TYPES.has(type)) return { ok: false, reason: `${type} inputs are clicked, not filled` };
    setNativeValue(el, win.HTMLInputElement.prototype, value);
  } else if (el.localName === 'textarea') {
    setNativeValue(el, win.HTMLTextAreaElement.prototype, value);
  } else if (el.localName === 'select') {
    if (!Array.from((el as HTMLSelectElement).options).some((o) => o.value === value)) return { ok: false, reason: 'no such option' };
    setNativeValue(el, win.HTMLSelectElement.prototype, value);
  } else {
    return { ok: false, reason: `<${el.localName}> is not a form field` };
  }
  el.dispatchEvent(new win.Event('input', { bubbles: true, composed: true }));
  el.dispatchEvent(new win.Event('change', { bubbles: true }));
  return { ok: true, element: el };
}

/** Sets `value` through the prototype's setter so frameworks that track the property (React) see the change. */
function setNativeValue(el: Element, proto: object, value: string): void {
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  if (setter) setter.call(el, value);
  else (el as HTMLInputElement).value = value;
}
