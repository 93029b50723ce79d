/**
 * Performs the agent's clicks and field fills on the customer's page, once
 * the customer granted control. The agent names an element by its rrweb id;
 * the customer's page decides whether it may be touched. Never: passwords,
 * payment and other secret fields, file inputs, blocked elements, our own UI,
 * scripts or anything that runs code (javascript: links). Only values are
 * set and events dispatched: nothing from the agent is ever evaluated.
 */
import type { CobrowseRefusal } from '../protocol/index.js';
import { isBlocked, isSecretField } from './masking.js';

export interface RemoteAction {
  kind: 'click' | 'input';
  node: number;
  value?: string;
}

/** A refusal says why in English (`reason`, for logs and hosts) and as a code (`code`, sent back to the agent). */
export type ActionResult = { ok: true; element: Element } | { ok: false; reason: string; code: CobrowseRefusal };

interface Refusal {
  reason: string;
  code: CobrowseRefusal;
}

const refuse = (code: CobrowseRefusal, reason: string): { ok: false; reason: string; code: CobrowseRefusal } => ({ ok: false, reason, code });

const NEVER_TOUCH = new Set(['script', 'style', 'link', 'meta', 'iframe', 'frame', 'object', 'embed', 'template', 'html', 'head', 'body', 'base', 'noscript']);
const CLICKABLE_ROLES = new Set(['button', 'link', 'tab', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'checkbox', 'radio', 'switch', 'option', 'treeitem']);
const TEXT_INPUT_TYPES = new Set(['', 'text', 'email', 'tel', 'url', 'search', 'number', 'date', 'datetime-local', 'month', 'time', 'week', 'color', 'range']);
const NO_CLICK_INPUT_TYPES = new Set(['file', 'password', 'hidden', 'image']);

/** Why `el` may not be touched at all, or undefined if it may. */
export function forbiddenReason(el: Element): string | undefined {
  return forbidden(el)?.reason;
}

function forbidden(el: Element): Refusal | undefined {
  if (!el.isConnected) return { code: 'gone', reason: 'element is gone' };
  if (NEVER_TOUCH.has(el.localName)) return { code: 'not-allowed', reason: `<${el.localName}> is never touched` };
  if (isBlocked(el)) return { code: 'blocked', reason: 'element is blocked from cobrowse' };
  if (isSecretField(el)) return { code: 'secret', reason: 'secret fields (password, payment, masked) are never touched' };
  if (el.localName === 'input' && NO_CLICK_INPUT_TYPES.has((el as HTMLInputElement).type)) return { code: 'not-allowed', reason: `${(el as HTMLInputElement).type} inputs are never touched` };
  if ((el as HTMLElement).closest?.('[inert]')) return { code: 'disabled', reason: 'element is inert' };
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
  if (!el) return refuse('gone', 'no such element on this page');
  if (action.kind === 'click') {
    const target: Element | null = isClickable(el) ? el : el.closest('button, a[href], label, summary, [role], [tabindex], input, select, textarea');
    if (!target) return refuse('not-clickable', `<${el.localName}> is not something to click`);
    el = target;
  }
  const no = forbidden(el);
  if (no) return refuse(no.code, no.reason);
  if (isDisabled(el)) return refuse('disabled', 'element is disabled');
  if (action.kind === 'click') {
    if (el.localName === 'a') {
      const href = (el as HTMLAnchorElement).href;
      let protocol: string;
      try {
        protocol = new URL(href, el.ownerDocument.baseURI).protocol;
      } catch {
        return refuse('link', 'link has no valid address');
      }
      if (protocol !== 'http:' && protocol !== 'https:') return refuse('link', `${protocol} links are never followed`);
    }
    (el as HTMLElement).click();
    return { ok: true, element: el };
  }
  return fill(el, action.value ?? '');
}

function fill(el: Element, value: string): ActionResult {
  if ((el as HTMLInputElement).readOnly) return refuse('read-only', 'field is read-only');
  const win = el.ownerDocument.defaultView;
  if (!win) return refuse('gone', 'element is gone');
  if (el.localName === 'input') {
    const type = (el as HTMLInputElement).type;
    if (!TEXT_INPUT_TYPES.has(type)) return refuse('not-fillable', `${type} inputs are clicked, not filled`);
    setNativeValue(el, win.HTMLInputElement.prototype, value);
  } else if (el.localName === 'textarea') {
    setNativeValue(el, win.HTMLTextAreaElement.prototype, value);
  } else if (el.localName === 'select') {
    if (!Array.from((el as HTMLSelectElement).options).some((o) => o.value === value)) return refuse('no-option', 'no such option');
    setNativeValue(el, win.HTMLSelectElement.prototype, value);
  } else {
    return refuse('not-fillable', `<${el.localName}> is not a form field`);
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
