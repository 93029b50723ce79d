import type { ConsoleMessageKey } from './strings.js';

/**
 * The console's keyboard shortcuts. They work while typing in the composer,
 * so every one but `?` has Alt (Option) in it, and letters go with Alt+Shift:
 * plain Alt+letter types characters on macOS and some layouts. Keys are
 * matched by position (`KeyboardEvent.code`), so they stay where they are on
 * any layout; Ctrl and Meta are never part of them (Ctrl+Alt is AltGr on
 * Windows).
 */
export type ShortcutAction = 'next' | 'previous' | 'claim' | 'end' | 'composer' | 'help';

export interface Shortcut {
  /** 'close': Escape, handled by the dialogs themselves (listed for the help). */
  action: ShortcutAction | 'close';
  /** What the help shows: `key.*` names are looked up in the strings. */
  keys: readonly string[];
  label: ConsoleMessageKey;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'next', keys: ['key.alt', '↓'], label: 'console.key-next' },
  { action: 'previous', keys: ['key.alt', '↑'], label: 'console.key-previous' },
  { action: 'claim', keys: ['key.alt', 'key.shift', 'C'], label: 'console.key-claim' },
  { action: 'end', keys: ['key.alt', 'key.shift', 'E'], label: 'console.key-end' },
  { action: 'composer', keys: ['key.alt', 'key.shift', 'M'], label: 'console.key-composer' },
  { action: 'help', keys: ['key.alt', 'key.shift', 'H'], label: 'console.key-help' },
  { action: 'close', keys: ['key.escape'], label: 'console.key-close' },
];

/** The action of a key press, if it is a shortcut. `editing`: focus is in a text field (then `?` is typed, not a shortcut). */
export function shortcutFor(e: KeyboardEvent, editing: boolean): ShortcutAction | undefined {
  if (e.ctrlKey || e.metaKey || e.repeat) return undefined;
  if (!e.altKey) return !editing && e.key === '?' ? 'help' : undefined;
  if (!e.shiftKey) {
    if (e.code === 'ArrowDown') return 'next';
    if (e.code === 'ArrowUp') return 'previous';
    return undefined;
  }
  switch (e.code) {
    case 'KeyC':
      return 'claim';
    case 'KeyE':
      return 'end';
    case 'KeyM':
      return 'composer';
    case 'KeyH':
      return 'help';
    default:
      return undefined;
  }
}

/** Whether the event comes from a place where keys type text. */
export function isEditable(path: readonly EventTarget[]): boolean {
  const target = path[0];
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file', 'image'].includes(target.type);
  return false;
}
