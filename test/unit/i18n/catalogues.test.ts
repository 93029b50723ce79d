// The catalogues themselves: the four shipped ones have exactly the same
// keys, every translation parses and uses the placeholders of its English
// text, plurals cover the language's categories, and the runtime's
// formatting, fallbacks and overrides behave as the README says.
import { expect } from '@open-wc/testing';
import {
  MESSAGE_KEYS,
  SHIPPED_LOCALES,
  availableLocale,
  directionOf,
  en as enCustomer,
  format,
  formatMessage,
  loadLocale,
  parseMessage,
  placeholdersOf,
  resetCatalogue,
  setCatalogue,
  type Catalogue,
} from '../../../src/i18n/index.js';
import de from '../../../src/i18n/locales/de.js';
import es from '../../../src/i18n/locales/es.js';
import ar from '../../../src/i18n/locales/ar.js';
import { enAgent } from '../../../src/i18n/en-agent.js';
import { enVideo } from '../../../src/i18n/en-video.js';
import { enCobrowse } from '../../../src/i18n/en-cobrowse.js';
import { enOffline } from '../../../src/i18n/en-offline.js';
import { useAgentCatalogue } from '../../../src/i18n/agent.js';
import { useVideoCatalogue } from '../../../src/i18n/video.js';
import { useCobrowseCatalogue } from '../../../src/i18n/cobrowse.js';
import { useOfflineCatalogue } from '../../../src/i18n/offline.js';

// English in full: the widget's part (en.ts), the agent's (en-agent.ts), the video's (en-video.ts), the
// cobrowse prompts' (en-cobrowse.ts) and the message form's (en-offline.ts), each added by the modules that need it.
useAgentCatalogue();
useVideoCatalogue();
useCobrowseCatalogue();
useOfflineCatalogue();
const en: Catalogue = { ...enCustomer, ...enAgent, ...enVideo, ...enCobrowse, ...enOffline };
const shipped: Record<string, Catalogue> = { en, de, es, ar };

/** The plural categories each `{x, plural, …}` of a message names. */
function pluralCases(text: string): string[][] {
  const out: string[][] = [];
  const walk = (nodes: ReturnType<typeof parseMessage>) => {
    for (const n of nodes) {
      if (typeof n === 'string' || 'hash' in n) continue;
      if ('cases' in n) {
        if (n.kind === 'plural') out.push(Object.keys(n.cases));
        for (const c of Object.values(n.cases)) walk(c);
      }
    }
  };
  walk(parseMessage(text));
  return out;
}

describe('message catalogues', () => {
  afterEach(() => resetCatalogue());

  it('ships English, German, Spanish and Arabic', () => {
    expect([...SHIPPED_LOCALES]).to.deep.equal(['en', 'de', 'es', 'ar']);
  });

  it('all four catalogues have exactly the same keys', () => {
    const keys = Object.keys(en).sort();
    for (const [locale, catalogue] of Object.entries(shipped)) {
      expect(Object.keys(catalogue).sort(), locale).to.deep.equal(keys);
    }
  });

  it('every message parses and uses exactly the placeholders of its English text', () => {
    for (const key of MESSAGE_KEYS) {
      const english = placeholdersOf(en[key]);
      for (const [locale, catalogue] of Object.entries(shipped)) {
        expect(placeholdersOf(catalogue[key]), `${locale} ${key}`).to.deep.equal(english);
      }
    }
  });

  it('every plural names each plural category of its language, and other', () => {
    for (const [locale, catalogue] of Object.entries(shipped)) {
      const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
      for (const key of MESSAGE_KEYS) {
        for (const cases of pluralCases(catalogue[key])) {
          // English "{count, plural, other {# found}}" is fine: one form is enough when the words do not change.
          if (cases.length === 1 && cases[0] === 'other') continue;
          for (const c of categories) expect(cases, `${locale} ${key} lacks "${c}"`).to.include(c);
        }
      }
    }
  });

  it('no translation is left in English (except names, numbers and codes)', () => {
    const same = (a: string, b: string) => a === b && /\p{L}{4,}/u.test(a.replace(/\{[^}]*\}/g, ''));
    const allowed = new Set(['status.online', 'transcript.announce', 'cobrowse.offer']);
    for (const locale of ['de', 'es', 'ar']) {
      const copied = MESSAGE_KEYS.filter((k) => !allowed.has(k) && same(shipped[locale][k], en[k]));
      expect(copied, locale).to.deep.equal([]);
    }
  });

  it('where a control shows one message and is named by another, the name contains the shown text in every language (WCAG 2.5.3)', () => {
    // [shown, accessible name]: axe's label-content-name-mismatch, found on the console in Arabic.
    const pairs = [
      ['console.sound', 'console.sound-label'],
      ['console.claim', 'console.claim-label'],
      ['console.available', 'console.presence-label'],
    ] as const;
    for (const [locale, catalogue] of Object.entries(shipped)) {
      for (const [shown, name] of pairs) {
        expect(catalogue[name].toLocaleLowerCase(locale), `${locale}: ${name} contains ${shown}`).to.include(catalogue[shown].toLocaleLowerCase(locale));
      }
    }
  });

  it('formats placeholders by name, plurals by the language and lists with Intl.ListFormat', () => {
    expect(format('en', 'composer.left', { count: 1 })).to.equal('1 character left');
    expect(format('en', 'composer.left', { count: 12 })).to.equal('12 characters left');
    expect(formatMessage('ar', ar['composer.left'], { count: 2 })).to.equal('تبقّى حرفان');
    expect(formatMessage('ar', ar['composer.left'], { count: 5 })).to.equal(`تبقّت ${new Intl.NumberFormat('ar').format(5)} أحرف`);
    expect(format('en', 'controls.sending', { media: ['video', 'voice'] })).to.equal('Sending video and voice from this device');
    expect(formatMessage('de', de['controls.sending'], { media: ['Video', 'Ton'] })).to.equal('Dieses Gerät sendet Video und Ton');
    expect(formatMessage('es', es['sys.link.peer'], { record: 'Casey', name: 'Ann' })).to.equal('Ann vinculó este chat a su cuenta de cliente (Casey)');
  });

  it('loads a shipped catalogue on first use; an unknown language shows English', async () => {
    expect(availableLocale('de-AT')).to.be.oneOf(['en', 'de']);
    await loadLocale('de-AT');
    expect(availableLocale('de-AT')).to.equal('de');
    expect(format('de-AT', 'widget.start')).to.equal('Chat starten');
    expect(availableLocale('ja')).to.equal('en');
    expect(format('ja', 'widget.start')).to.equal('Start chat');
    expect(directionOf('ar-EG')).to.equal('rtl');
    expect(directionOf('de')).to.equal('ltr');
  });

  it('a webmaster overrides one message, adds a language, and a broken message falls back to English', async () => {
    setCatalogue('en', { 'widget.label': 'Talk to an expert' });
    expect(format('en', 'widget.label')).to.equal('Talk to an expert');
    expect(format('en', 'widget.start')).to.equal('Start chat');
    setCatalogue('fr', async () => ({ 'widget.start': 'Démarrer la discussion', 'composer.left': '{count, plural, one {# caractère restant} other {# caractères restants}}' }));
    await loadLocale('fr');
    expect(format('fr', 'widget.start')).to.equal('Démarrer la discussion');
    expect(format('fr', 'composer.left', { count: 2 })).to.equal('2 caractères restants');
    // Not in the French catalogue: English.
    expect(format('fr', 'widget.close')).to.equal('Close chat');
    setCatalogue('fr', { 'widget.close': 'Fermer {oops' });
    expect(format('fr', 'widget.close')).to.equal('Close chat');
  });
});
