import { html, type TemplateResult } from 'lit';
import { LocalizedElement } from '../localized-element.js';
import { property, query, state } from 'lit/decorators.js';
import { dispatchVcEvent } from '../events.js';
import { vcMenuButtonStyles } from './vc-menu-button.styles.js';

/** An item given by the `items` property (slotted items are any buttons or links). */
export interface MenuItem {
  id: string;
  label: string;
  disabled?: boolean;
}

/**
 * A menu button (WAI-ARIA menu button pattern). Enter, Space or ArrowDown on
 * the button opens the menu at its first item, ArrowUp at its last; in the
 * menu the arrows move (wrapping), Home and End jump, Enter and Space
 * activate, Escape closes and returns focus to the button, Tab closes and
 * moves on; a click outside closes it. Disabled items (`disabled`, or
 * `aria-disabled="true"`) are skipped. Items come from the `items` property
 * (chosen: `vc-menu-select`) and from the default slot (buttons or links that
 * run themselves; they get `role="menuitem"` and `tabindex="-1"` unless they
 * have a role).
 *
 * @summary Menu button with a keyboard-operable popup menu.
 *
 * @fires {CustomEvent<VcMenuSelectDetail>} vc-menu-select - An item of the `items` property was chosen: `{id}`.
 *
 * @slot - Menu items after those of `items` (e.g. `<button>Video chat</button>`).
 *
 * @csspart button - The menu button.
 * @csspart menu - The popup (role="menu").
 * @csspart item - An item made from the `items` property.
 *
 * @cssprop [--vc-color-primary=#1d4ed8] - Accent: launcher, title bar, own bubbles, Send, focus ring. Dark: `#2563eb`.
 * @cssprop [--vc-color-on-primary=#ffffff] - Text on the accent colour.
 * @cssprop [--vc-color-surface=#ffffff] - Background. A page that sets it keeps the light defaults in dark mode. Dark: `#16181d`.
 * @cssprop [--vc-color-text=#1f2937] - Text; borders and muted text are mixed from it and the surface. Dark: `#e5e7eb`.
 * @cssprop [--vc-color-danger=#b91c1c] - Errors, muted or paused buttons, End video. Dark: `#f87171`.
 * @cssprop [--vc-color-on-danger=#ffffff] - Text on the danger colour (End video). Dark: `#16181d`.
 * @cssprop [--vc-color-focus=var(--vc-color-primary)] - Focus ring.
 * @cssprop [--vc-radius=12px] - Corner radius.
 * @cssprop [--vc-font=system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif] - Font family.
 * @cssprop [--vc-menu-min-width=12rem] - Minimum width of the popup.
 */
export class VcMenuButton extends LocalizedElement {
  static override styles = vcMenuButtonStyles;

  /** The button's text (default: "Menu" in the element's locale). */
  @property()
  label?: string;

  /** Accessible name of the popup menu (default: the label). */
  @property({ attribute: 'menu-label' })
  menuLabel?: string;

  /** Items shown before the slotted ones. */
  @property({ attribute: false })
  items: MenuItem[] = [];

  /** Whether the menu is open. */
  @state() private _open = false;

  @query('.button') private _button!: HTMLButtonElement;
  @query('.menu') private _menu!: HTMLElement;
  @query('slot') private _slot!: HTMLSlotElement;

  get open(): boolean {
    return this._open;
  }

  /** Opens the menu and focuses its first (or last) enabled item. */
  async show(focus: 'first' | 'last' = 'first'): Promise<void> {
    this._open = true;
    document.addEventListener('pointerdown', this._onDocumentPointerDown, true);
    await this.updateComplete;
    const items = this._items();
    (focus === 'first' ? items[0] : items[items.length - 1])?.focus();
  }

  /** Closes the menu; focus goes back to the button when `returnFocus`. */
  hide(returnFocus = false): void {
    if (!this._open) return;
    this._open = false;
    document.removeEventListener('pointerdown', this._onDocumentPointerDown, true);
    if (returnFocus) this._button?.focus();
  }

  override focus(options?: FocusOptions): void {
    this._button?.focus(options);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.hide(false);
  }

  protected override firstUpdated(): void {
    this._markItems();
  }

  protected override render(): TemplateResult {
    return html`
      <button
        id="button"
        class="button"
        part="button"
        type="button"
        aria-haspopup="menu"
        aria-controls="menu"
        aria-expanded=${this._open ? 'true' : 'false'}
        @click=${this._onButtonClick}
        @keydown=${this._onButtonKeydown}
      >
        ${this.label ?? this.t('menu.label')} <span aria-hidden="true">▾</span>
      </button>
      <div
        id="menu"
        class="menu"
        part="menu"
        role="menu"
        aria-label=${this.menuLabel ?? this.label ?? this.t('menu.label')}
        ?hidden=${!this._open}
        @keydown=${this._onMenuKeydown}
        @click=${this._onMenuClick}
        @focusout=${this._onFocusOut}
      >
        ${this.items.map(
          (item) => html`<button class="item" part="item" type="button" role="menuitem" tabindex="-1" data-id=${item.id} ?disabled=${item.disabled === true}>${item.label}</button>`,
        )}
        <slot @slotchange=${this._markItems}></slot>
      </div>
    `;
  }

  /** The items in menu order; disabled and hidden ones only when asked. */
  private _items(includeDisabled = false): HTMLElement[] {
    const own = [...(this._menu?.querySelectorAll<HTMLElement>('button.item') ?? [])];
    const slotted = (this._slot?.assignedElements({ flatten: true }) ?? []).filter((el): el is HTMLElement => el instanceof HTMLElement);
    return [...own, ...slotted].filter((el) => !el.hidden && (includeDisabled || !isDisabled(el)));
  }

  private _markItems(): void {
    for (const el of this._slot?.assignedElements({ flatten: true }) ?? []) {
      if (!el.hasAttribute('role')) el.setAttribute('role', 'menuitem');
      if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
    }
  }

  private _onButtonClick(): void {
    if (this._open) this.hide(true);
    else void this.show('first');
  }

  private _onButtonKeydown(e: KeyboardEvent): void {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      void this.show(e.key === 'ArrowDown' ? 'first' : 'last');
    } else if (e.key === 'Escape' && this._open) {
      e.preventDefault();
      this.hide(true);
    }
  }

  private _onMenuKeydown(e: KeyboardEvent): void {
    const items = this._items();
    const current = items.findIndex((el) => el === e.target || el.contains(e.target as Node));
    let next: HTMLElement | undefined;
    switch (e.key) {
      case 'ArrowDown':
        next = items[(current + 1) % items.length];
        break;
      case 'ArrowUp':
        next = items[(current - 1 + items.length) % items.length];
        break;
      case 'Home':
        next = items[0];
        break;
      case 'End':
        next = items[items.length - 1];
        break;
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        this.hide(true);
        return;
      case 'Tab':
        this.hide(false);
        return;
      case 'Enter':
      case ' ': {
        const item = items[current];
        // Native buttons and links activate themselves; other items need a click.
        if (item && !(item instanceof HTMLButtonElement) && !(item instanceof HTMLAnchorElement)) {
          e.preventDefault();
          item.click();
        }
        return;
      }
      default:
        return;
    }
    e.preventDefault();
    next?.focus();
  }

  private _onMenuClick(e: MouseEvent): void {
    // The item's own handler may already have disabled it (e.g. video started): look among all items.
    const items = this._items(true);
    const item = items.find((el) => e.composedPath().includes(el));
    if (!item || item.getAttribute('aria-disabled') === 'true') return;
    // Only take focus back if the item's own handler did not move it elsewhere.
    const active = this._activeItem(items);
    const focusInMenu = active !== 'elsewhere';
    const id = item.classList.contains('item') ? item.dataset.id : undefined;
    this.hide(focusInMenu);
    if (id !== undefined) dispatchVcEvent(this, 'vc-menu-select', { id });
  }

  /** Where focus is: on an item, nowhere in particular (body), or elsewhere. */
  private _activeItem(items: HTMLElement[]): 'item' | 'none' | 'elsewhere' {
    const root = this.getRootNode() as Document | ShadowRoot;
    const candidates = [this.shadowRoot?.activeElement, root.activeElement, document.activeElement];
    if (candidates.some((a) => a && items.includes(a as HTMLElement))) return 'item';
    const active = document.activeElement;
    return !active || active === document.body ? 'none' : 'elsewhere';
  }

  private _onFocusOut(e: FocusEvent): void {
    if (!this._open) return;
    const next = e.relatedTarget as Node | null;
    if (!next) return; // e.g. window blur; outside clicks are handled on pointerdown
    if (next === this._button || this.contains(next) || this.shadowRoot?.contains(next) || this._items(true).includes(next as HTMLElement)) return;
    this.hide(false);
  }

  private readonly _onDocumentPointerDown = (e: PointerEvent): void => {
    if (!e.composedPath().includes(this)) this.hide(false);
  };
}

function isDisabled(el: HTMLElement): boolean {
  return (el as HTMLButtonElement).disabled === true || el.getAttribute('aria-disabled') === 'true';
}

if (!customElements.get('vc-menu-button')) customElements.define('vc-menu-button', VcMenuButton);

declare global {
  interface HTMLElementTagNameMap {
    'vc-menu-button': VcMenuButton;
  }
}
