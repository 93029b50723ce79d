
/**
 * The console's keyboard shortcuts. They work while typing in the composer,
 * so every one but `?` has Alt (Option) in it, and letters go with Alt+Shift:
 * plain Alt+letter types characters on macOS and some layouts. Keys are
 * matched by position (`KeyboardEvent.code`), so they stay where they are on
 * any layout; Ctrl and Meta are never part of them (Ctrl+Alt is AltGr on
 * Windows).
 */
export type ShortcutAction = 'next' | 'previous' | 'claim' | 'end' | 'composer' | 'help';

/** The names of keys that differ between languages (the catalogue's `console.key.*`); arrows and letters are shown as they are. */
export type KeyName = 'console.key.alt' | 'console.key.shift' | 'console.key.escape';
const ALT: KeyName = 'console.key.alt';
const SHIFT: KeyName = 'console.key.shift';

export interface Shortcut {
  /** 'close': Escape, handled by the dialogs themselves (listed for the help). */
  action: ShortcutAction | 'close';
  /** What the help shows. */
  keys: readonly (KeyName | '↓' | '↑' | 'C' | 'E' | 'M' | 'H')[];
  label: 'console.key-next' | 'console.key-previous' | 'console.key-claim' | 'console.key-end' | 'console.key-composer' | 'console.key-help' | 'console.key-close';
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'next', keys: [ALT, '↓'], label: 'console.key-next' },
  { action: 'previous', keys: [ALT, '↑'], label: 'console.key-previous' },
  { action: 'claim', keys: [ALT, SHIFT, 'C'], label: 'console.key-claim' },
  { action: 'end', keys: [ALT, SHIFT, 'E'], label: 'console.key-end' },
  { action: 'composer', keys: [ALT, SHIFT, 'M'], label: 'console.key-composer' },
  { action: 'help', keys: [ALT, SHIFT, 'H'], label: 'console.key-help' },
  { action: 'close', keys: ['console.key.escape'], label: 'console.key-close' },
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
