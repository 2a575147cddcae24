// The single source of keyboard bindings: the key handler and the `?` help
// overlay both read BINDINGS. A binding maps a key sequence to a command
// string (as aerc does); commands.ts runs the command. Rebinding is data only.
//
// Key notation: one token per key, space-separated for sequences ("g i").
// A printable character is itself ("e", "G", "?"); Shift is part of the
// character, so "G" is Shift+g. Named keys use KeyboardEvent.key names
// ("Enter", "Escape", "ArrowDown"). Modifiers prefix a token: "Ctrl+d",
// "Alt+x", "Meta+k", and "Shift+Enter" for named keys.

export type Section = 'global' | 'inbox' | 'item' | 'welcome' | 'help' | 'settings' | 'account';

export interface Binding {
  keys: string;
  command: string;
  section: Section;
  description: string;
}

/** SECTIONS names each section for the help overlay, in the order it lists them. */
export const SECTIONS: { id: Section; title: string }[] = [
  { id: 'inbox', title: 'List' },
  { id: 'item', title: 'Reading pane' },
  { id: 'global', title: 'Anywhere' },
  { id: 'welcome', title: 'Welcome screen' },
  { id: 'help', title: 'This overlay' },
  { id: 'settings', title: 'Settings' },
  { id: 'account', title: 'Add an account' },
];

export const BINDINGS: Binding[] = [
  // List
  { keys: 'j', command: 'next', section: 'inbox', description: 'Next item' },
  { keys: 'ArrowDown', command: 'next', section: 'inbox', description: 'Next item' },
  { keys: 'k', command: 'prev', section: 'inbox', description: 'Previous item' },
  { keys: 'ArrowUp', command: 'prev', section: 'inbox', description: 'Previous item' },
  { keys: 'g g', command: 'first', section: 'inbox', description: 'First item' },
  { keys: 'G', command: 'last', section: 'inbox', description: 'Last item' },
  { keys: 'Enter', command: 'open', section: 'inbox', description: 'Open in reading pane' },
  { keys: 'o', command: 'open', section: 'inbox', description: 'Open in reading pane' },
  { keys: 'e', command: 'done', section: 'inbox', description: 'Mark done, go to next' },
  { keys: 'I', command: 'inbox', section: 'inbox', description: 'Move back to inbox' },
  { keys: 'O', command: 'browse', section: 'inbox', description: 'Open in browser' },

  // Reading pane
  { keys: 'Escape', command: 'back', section: 'item', description: 'Back to the list' },
  { keys: 'j', command: 'next', section: 'item', description: 'Next item' },
  { keys: 'k', command: 'prev', section: 'item', description: 'Previous item' },
  { keys: 'e', command: 'done', section: 'item', description: 'Mark done, go to next' },
  { keys: 'I', command: 'inbox', section: 'item', description: 'Move back to inbox' },
  { keys: 'O', command: 'browse', section: 'item', description: 'Open in browser' },

  // Anywhere in the inbox
  { keys: 'u', command: 'undo', section: 'global', description: 'Undo' },
  { keys: 'g i', command: 'view inbox', section: 'global', description: 'Go to Inbox' },
  { keys: 'g l', command: 'view later', section: 'global', description: 'Go to Later' },
  { keys: 'g s', command: 'view snoozed', section: 'global', description: 'Go to Snoozed' },
  { keys: 'g d', command: 'view done', section: 'global', description: 'Go to Done' },
  { keys: 'f', command: 'focus toggle', section: 'global', description: 'Start focus (50 min) or stop it' },
  { keys: 'F', command: 'focus next-batch', section: 'global', description: 'Focus until the next batch time' },
  { keys: 'R', command: 'release', section: 'global', description: 'Release held items now' },
  { keys: ',', command: 'settings', section: 'global', description: 'Settings' },
  { keys: 'A', command: 'add-account', section: 'global', description: 'Add an account' },
  { keys: '?', command: 'help', section: 'global', description: 'Keyboard shortcuts' },

  // First run
  { keys: 'a', command: 'add-account', section: 'welcome', description: 'Add an account' },
  { keys: 's', command: 'sample', section: 'welcome', description: 'Explore the sample workspace' },
  { keys: 'Escape', command: 'back', section: 'welcome', description: 'Back' },

  // Settings (Tab moves between fields; keys typed into a field are text)
  { keys: 'Escape', command: 'close', section: 'settings', description: 'Close without saving' },
  { keys: 'Ctrl+Enter', command: 'save', section: 'settings', description: 'Save' },

  // Add an account (Tab moves between fields; Enter in a field also tests)
  { keys: 'Ctrl+Enter', command: 'account-test', section: 'account', description: 'Test the connection' },
  { keys: 'Ctrl+s', command: 'account-save', section: 'account', description: 'Test, then save and start syncing' },
  { keys: 'Escape', command: 'close', section: 'account', description: 'Cancel' },

  // Help overlay
  { keys: 'Escape', command: 'close', section: 'help', description: 'Close' },
  { keys: '?', command: 'close', section: 'help', description: 'Close' },
];

/** The plain facts of a key press the matcher needs (a KeyboardEvent fits). */
export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
  shiftKey?: boolean;
  /** True when the key went to a text field; such keys are never commands. */
  editable?: boolean;
  /** True while an IME composes text. */
  isComposing?: boolean;
}

const MODIFIER_KEYS = new Set(['Shift', 'Control', 'Alt', 'Meta', 'AltGraph', 'CapsLock', 'OS', 'Hyper', 'Super']);

/**
 * keyToken normalises a key press to the notation above, or returns null for
 * a press that is only a modifier.
 */
export function keyToken(e: KeyPress): string | null {
  if (!e.key || MODIFIER_KEYS.has(e.key) || e.key === 'Unidentified' || e.key === 'Dead') return null;
  let key = e.key === ' ' ? 'Space' : e.key;
  const printable = [...key].length === 1;
  let mods = '';
  if (e.ctrlKey) mods += 'Ctrl+';
  if (e.altKey) mods += 'Alt+';
  if (e.metaKey) mods += 'Meta+';
  // Shift already shaped a printable character ("G", "?"); name it only for named keys.
  if (e.shiftKey && !printable) mods += 'Shift+';
  // With Ctrl/Alt/Meta the browser may report "G" for Ctrl+Shift+g; keep letters as typed.
  if (printable && mods && e.shiftKey && /^[a-z]$/i.test(key)) key = key.toUpperCase();
  return mods + key;
}

/** tokens splits a binding's keys into tokens ("g i" → ["g", "i"]). */
export function tokens(keys: string): string[] {
  return keys.trim().split(/\s+/).filter(Boolean);
}

export type MatchResult =
  | { kind: 'command'; command: string; binding: Binding }
  | { kind: 'pending'; sequence: string[] }
  | { kind: 'none' };

export interface MatcherOptions {
  /** How long a partial sequence ("g") waits for its next key, in ms. */
  timeoutMs?: number;
}

/**
 * Matcher turns key presses into commands for the active sections, which are
 * passed per press, most specific first: a binding in an earlier section
 * shadows the same keys in a later one. It is pure: time is passed in, so a
 * test drives it without timers.
 */
export class Matcher {
  private pending: string[] = [];
  private lastAt = 0;
  readonly timeoutMs: number;
  private parsed: { binding: Binding; seq: string[] }[];

  constructor(bindings: Binding[] = BINDINGS, opts: MatcherOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 1200;
    this.parsed = bindings.map((binding) => ({ binding, seq: tokens(binding.keys) }));
  }

  /** sequence is the partial sequence typed so far. */
  get sequence(): readonly string[] {
    return this.pending;
  }

  reset(): void {
    this.pending = [];
  }

  /**
   * feed offers one key press. It returns the command to run, "pending" while
   * a longer sequence may still match, or "none" (the caller should then let
   * the browser handle the key).
   */
  feed(e: KeyPress, sections: readonly Section[], now: number): MatchResult {
    // Keys typed into a field are text, except Escape and Ctrl/Cmd chords,
    // which leave or submit the field (Escape closes Settings, Ctrl+Enter saves).
    const chord = e.key === 'Escape' || e.ctrlKey || e.metaKey;
    if (e.isComposing || (e.editable && !chord)) {
      this.pending = [];
      return { kind: 'none' };
    }
    const tok = keyToken(e);
    if (tok === null) {
      // A bare modifier (Shift on the way to "G") keeps a sequence alive.
      return this.pending.length ? { kind: 'pending', sequence: [...this.pending] } : { kind: 'none' };
    }
    if (this.pending.length && now - this.lastAt > this.timeoutMs) this.pending = [];
    this.lastAt = now;

    const seq = [...this.pending, tok];
    const r = this.match(seq, sections);
    if (r.kind !== 'none' || this.pending.length === 0) {
      this.pending = r.kind === 'pending' ? seq : [];
      return r;
    }
    // The sequence broke ("g x"): start over with this key alone.
    this.pending = [];
    const again = this.match([tok], sections);
    this.pending = again.kind === 'pending' ? [tok] : [];
    return again;
  }

  /**
   * expire ends a pending sequence after the timeout. If the keys so far are
   * themselves a binding (a prefix of a longer one), that command is returned.
   */
  expire(sections: readonly Section[]): MatchResult {
    const seq = this.pending;
    this.pending = [];
    if (seq.length === 0) return { kind: 'none' };
    const exact = this.exact(seq, sections);
    return exact ? { kind: 'command', command: exact.command, binding: exact } : { kind: 'none' };
  }

  private exact(seq: string[], sections: readonly Section[]): Binding | undefined {
    for (const s of sections) {
      const hit = this.parsed.find((p) => p.binding.section === s && sameSeq(p.seq, seq));
      if (hit) return hit.binding;
    }
    return undefined;
  }

  private match(seq: string[], sections: readonly Section[]): MatchResult {
    const active = this.parsed.filter((p) => sections.includes(p.binding.section));
    const longer = active.some((p) => p.seq.length > seq.length && sameSeq(p.seq.slice(0, seq.length), seq));
    if (longer) return { kind: 'pending', sequence: seq };
    const exact = this.exact(seq, sections);
    if (exact) return { kind: 'command', command: exact.command, binding: exact };
    return { kind: 'none' };
  }
}

function sameSeq(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

/** isEditable reports whether a key event's target takes text input. */
export function isEditable(target: EventTarget | null): boolean {
  const el = target as (HTMLElement & { isContentEditable?: boolean }) | null;
  if (!el || typeof el.tagName !== 'string') return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = ((el as HTMLInputElement).type || 'text').toLowerCase();
  return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file', 'image'].includes(type);
}

/** Glyphs for the help overlay and button hints. */
const GLYPHS: Record<string, string> = {
  ArrowDown: '↓',
  ArrowUp: '↑',
  ArrowLeft: '←',
  ArrowRight: '→',
  Enter: '↵',
  Escape: 'Esc',
  Space: 'Space',
};

/** displayKeys renders a binding's keys as the labels of its key caps: "g i" → ["g", "i"]. */
export function displayKeys(keys: string): string[] {
  return tokens(keys).map((t) => {
    const m = /^((?:Ctrl\+|Alt\+|Meta\+|Shift\+)*)(.+)$/.exec(t)!;
    const mods = m[1].replace(/Ctrl\+/, 'Ctrl ').replace(/Alt\+/, 'Alt ').replace(/Meta\+/, '⌘ ').replace(/Shift\+/, '⇧ ');
    return mods + (GLYPHS[m[2]] ?? m[2]);
  });
}

/** helpGroups is the overlay's content: each section's bindings, one line per command. */
export function helpGroups(
  bindings: Binding[] = BINDINGS,
): { section: Section; title: string; rows: { keys: string[]; description: string }[] }[] {
  return SECTIONS.map(({ id, title }) => {
    const rows: { keys: string[]; description: string; command: string }[] = [];
    for (const b of bindings.filter((x) => x.section === id)) {
      const same = rows.find((r) => r.command === b.command && r.description === b.description);
      if (same) same.keys.push(b.keys);
      else rows.push({ keys: [b.keys], description: b.description, command: b.command });
    }
    return { section: id, title, rows: rows.map(({ keys, description }) => ({ keys, description })) };
  }).filter((g) => g.rows.length > 0);
}

/** keysFor finds the keys bound to a command in a section, for hints on buttons. */
export function keysFor(command: string, section: Section, bindings: Binding[] = BINDINGS): string | undefined {
  return bindings.find((b) => b.command === command && b.section === section)?.keys;
}
