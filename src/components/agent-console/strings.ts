// Every text <agent-console> shows, in one place.
//
// TODO(i18n): the catalogue runtime (src/i18n/) had not landed on main when the
// console was written. Move `consoleMessages` into the English catalogue (the
// keys and the ICU-style placeholders already follow its format: named
// `{name}`, `{count, plural, one {#…} other {#…}}`), add them to de/es/ar, and
// replace `t()` below by the catalogue's lookup in the element's locale
// (`this.t(key, params)` of the localised elements). Nothing else in the
// console has English in it: every template calls t().

export const consoleMessages = {
  'console.title': 'Agent console',
  'console.main-label': 'Conversation',
  'console.sidebar-label': 'Conversations',

  // sign-in
  'console.sign-in-heading': 'Sign in',
  'console.username': 'Username',
  'console.password': 'Password',
  'console.sign-in': 'Sign in',
  'console.signing-in': 'Signing in…',
  'console.signed-in-as': 'Signed in as {name}',
  'console.sign-out': 'Sign out',
  'console.sign-in-first': 'Sign in to see the queue.',

  // errors
  'console.error.wrong-credentials': 'Wrong username or password.',
  'console.error.session-ended': 'Your session has ended. Please sign in again.',
  'console.error.network': 'Cannot reach the chat service. Check your connection and try again.',
  'console.error.already-claimed': 'Another agent has already taken this conversation.',
  'console.error.broker': 'The chat service refused: {reason}',

  // queue stream
  'console.stream.connecting': 'Connecting…',
  'console.stream.live': 'Live',
  'console.stream.reconnecting': 'Connection lost, reconnecting…',

  // waiting queue
  'console.waiting-heading': 'Waiting ({count})',
  'console.nobody-waiting': 'Nobody is waiting.',
  'console.waiting-for': 'waiting {time}',
  'console.waiting-for-long': 'waiting {minutes, plural, =0 {less than a minute} one {# minute} other {# minutes}}',
  'console.claim': 'Claim',
  'console.claim-label': 'Claim conversation with {name}',

  // my conversations
  'console.mine-heading': 'My conversations ({count})',
  'console.no-conversations': 'You have no open conversations.',
  'console.show-label': 'Show conversation with {name}',
  'console.unread': '{count, plural, one {# unread message} other {# unread messages}}',
  'console.in-video': 'in video',
  'console.in-call': 'in a voice call',
  'console.ended': 'ended',
  'console.customer': 'Customer',

  // the active conversation
  'console.chat-with': 'Chat with {name}',
  'console.end': 'End conversation',
  'console.end-label': 'End conversation with {name}',
  'console.dismiss': 'Dismiss',
  'console.dismiss-label': 'Dismiss conversation with {name}',
  'console.ended-note': 'This conversation has ended.',
  'console.retry': 'Connect again',
  'console.placeholder': 'Claim a conversation from the queue to start chatting.',
  'console.end-confirm-heading': 'End the conversation with {name}?',
  'console.end-confirm-text': 'The customer’s chat ends too.',
  'console.cancel': 'Cancel',

  // video tiles
  'console.tiles-label': 'Calls in other conversations',
  'console.tile-label': 'Video of {name}',
  'console.tile-voice': 'Voice call with {name}',
  'console.tile-paused': '{name} paused video',
  'console.tile-back': 'Back to {name}',
  'console.tile-back-label': 'Back to the call with {name}',
  'console.mute': 'Mute microphone',
  'console.unmute': 'Unmute microphone',

  // presence, sound, notifications
  'console.presence-label': 'Available for new chats',
  'console.available': 'Available',
  'console.away': 'Away',
  'console.team': '{count, plural, =0 {No agent available} one {# agent available} other {# agents available}}',
  'console.sound': 'Sound',
  'console.sound-label': 'Sound for new customers and messages',
  'console.notifications-enable': 'Enable desktop notifications',
  'console.notifications-blocked': 'Desktop notifications are blocked in this browser.',
  'console.notify-waiting-title': '{name} is waiting',
  'console.notify-waiting-body': 'A customer is waiting for an agent.',
  'console.notify-message-title': 'New message from {name}',

  // announcements (live region)
  'console.announce-waiting': '{name} is waiting.',
  'console.announce-waiting-many': '{count} new customers are waiting.',
  'console.announce-message': 'New message from {name}.',
  'console.announce-showing': 'Showing the conversation with {name}.',
  'console.announce-ended': 'The conversation with {name} has ended.',
  'console.announce-closed': 'Conversation with {name} closed.',
  'console.announce-presence-available': 'You are available for new chats.',
  'console.announce-presence-away': 'You are away: no new chats.',

  // shortcuts and help
  'console.help': 'Keyboard shortcuts',
  'console.help-heading': 'Keyboard shortcuts',
  'console.help-close': 'Close',
  'console.help-intro': 'The shortcuts work anywhere in the console, also while typing a message.',
  'console.key-next': 'Next conversation',
  'console.key-previous': 'Previous conversation',
  'console.key-claim': 'Claim the customer who has waited longest',
  'console.key-end': 'End the conversation in front (asks first)',
  'console.key-composer': 'Go to the message box',
  'console.key-help': 'Show this help (outside text fields: ?)',
  'console.key-close': 'Close this help or a question',
  'console.key.alt': 'Alt',
  'console.key.shift': 'Shift',
  'console.key.escape': 'Esc',
} as const;

export type ConsoleMessageKey = keyof typeof consoleMessages;
export type ConsoleParams = Record<string, string | number>;

const plurals = new Map<string, Intl.PluralRules>();

/**
 * The text of `key` with its placeholders filled in. The English catalogue's
 * message syntax, reduced to what these messages use: `{name}`, and
 * `{n, plural, =0 {…} one {…} other {…}}` with `#` for the number.
 */
export function t(key: ConsoleMessageKey, params: ConsoleParams = {}, locale = 'en'): string {
  return format(consoleMessages[key], params, locale);
}

function format(text: string, params: ConsoleParams, locale: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{', i);
    if (open < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, open);
    const close = matching(text, open);
    out += placeholder(text.slice(open + 1, close), params, locale);
    i = close + 1;
  }
  return out;
}

function matching(text: string, open: number): number {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    if (text[j] === '{') depth++;
    else if (text[j] === '}' && --depth === 0) return j;
  }
  throw new SyntaxError(`unbalanced braces in "${text}"`);
}

function placeholder(body: string, params: ConsoleParams, locale: string): string {
  const [name, kind] = body.split(',', 2).map((s) => s.trim());
  const value = params[name];
  if (kind !== 'plural') return value === undefined ? `{${name}}` : String(value);
  const n = Number(value ?? 0);
  const cases = new Map<string, string>();
  const rest = body.slice(body.indexOf('plural') + 'plural'.length).replace(/^\s*,/, '');
  for (let j = 0; j < rest.length; ) {
    const open = rest.indexOf('{', j);
    if (open < 0) break;
    const close = matching(rest, open);
    cases.set(rest.slice(j, open).trim(), rest.slice(open + 1, close));
    j = close + 1;
  }
  let rules = plurals.get(locale);
  if (!rules) plurals.set(locale, (rules = new Intl.PluralRules(locale)));
  const chosen = cases.get(`=${n}`) ?? cases.get(rules.select(n)) ?? cases.get('other') ?? '';
  return format(chosen.replace(/#/g, new Intl.NumberFormat(locale).format(n)), params, locale);
}
