import { LitElement, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { property } from 'lit/decorators.js';
import {
  formatCoded,
  format,
  formatDate,
  formatMessage,
  notifyLocaleChange,
  resolveLocale,
  subscribeLocale,
  type Coded,
  type MessageKey,
  type Params,
  type ParamsOf,
  type PartialCatalogue,
  setCatalogue,
} from '../i18n/index.js';

/**
 * The locale an element shows (Lit ReactiveController): resolved from the
 * closest `locale` or `lang` attribute (the element's own, an ancestor's
 * across shadow roots, `<html lang>`), else English; re-renders the element
 * when that changes or its catalogue arrives. Sets `dir` on the element (unless
 * the page set one) so its content is laid out in the locale's direction, and
 * mirrors an explicit `locale` into `lang` for assistive technology.
 */
export class LocaleController implements ReactiveController {
  locale = 'en';
  dir: 'ltr' | 'rtl' = 'ltr';
  private off?: () => void;
  private ownDir?: string;
  private ownLang?: string;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostConnected(): void {
    this.off = subscribeLocale(this);
    this.resolve();
  }

  hostDisconnected(): void {
    this.off?.();
    this.off = undefined;
  }

  /** Before each render: the element may have moved, or its `locale` changed. */
  hostUpdate(): void {
    this.resolve();
  }

  /** @internal Called when a lang/locale attribute or a catalogue changed somewhere. */
  localeMayHaveChanged(): void {
    if (this.resolve()) this.host.requestUpdate();
  }

  /** The text of `key` in this element's locale. */
  t<K extends MessageKey>(key: K, ...params: keyof ParamsOf<K> extends never ? [params?: Params] : [params: ParamsOf<K>]): string {
    return format(this.locale, key, ...params);
  }

  /** A coded text (system line, error) in this element's locale. */
  coded(coded: Coded): string {
    return formatCoded(this.locale, coded);
  }

  /** A number in this element's locale (Arabic digits in Arabic). */
  number(n: number): string {
    return formatMessage(this.locale, '{n}', { n });
  }

  date(when: Date | number, style: 'time' | 'full'): string {
    return formatDate(this.locale, when, style);
  }

  /** Looks up the locale; true when it changed. */
  private resolve(): boolean {
    const host = this.host;
    const { locale, dir } = resolveLocale(host, (host as { locale?: string }).locale);
    this.syncAttributes(dir);
    if (locale === this.locale && dir === this.dir) return false;
    this.locale = locale;
    this.dir = dir;
    // Elements in this one's shadow root resolve through it: let them look again.
    notifyLocaleChange();
    return true;
  }

  private syncAttributes(dir: 'ltr' | 'rtl'): void {
    const host = this.host;
    const current = host.getAttribute('dir');
    if (current === null || current === this.ownDir) {
      if (current !== dir) host.setAttribute('dir', dir);
      this.ownDir = dir;
    }
    const explicit = (host as { locale?: string }).locale?.trim() || host.getAttribute('locale')?.trim();
    const lang = host.getAttribute('lang');
    if (explicit) {
      if (lang === null || lang === this.ownLang) {
        if (lang !== this.locale) host.setAttribute('lang', this.locale);
        this.ownLang = this.locale;
      }
    } else if (this.ownLang !== undefined && lang === this.ownLang) {
      host.removeAttribute('lang');
      this.ownLang = undefined;
    }
  }
}

/**
 * Base of every element: a `locale` (attribute and property) and the
 * LocaleController behind `this.t(…)`.
 */
export class LocalizedElement extends LitElement {
  /**
   * The language of the element's texts (BCP 47: `de`, `es`, `ar`, `fr-CA`…).
   * Unset: the closest `lang` attribute around the element, then `<html lang>`,
   * then English. Locales without a catalogue fall back to their base language,
   * then English (add one with `setCatalogue`).
   */
  @property({ reflect: true })
  locale?: string;

  /**
   * Supplies or overrides messages for a locale, for every element on the page
   * (the same as `setCatalogue` from the package; here for pages that only have
   * the script tag: `customElements.get('customer-chat').setCatalogue('fr', {…})`).
   */
  static setCatalogue(locale: string, messages: PartialCatalogue | (() => Promise<PartialCatalogue>)): void {
    setCatalogue(locale, messages);
  }

  /** @internal */
  protected readonly i18n = new LocaleController(this);

  /** The text of `key` in the element's locale. */
  protected t<K extends MessageKey>(key: K, ...params: keyof ParamsOf<K> extends never ? [params?: Params] : [params: ParamsOf<K>]): string {
    return this.i18n.t(key, ...params);
  }
}
