// The single source of keyboard bindings: the key handler, the `?` help
// overlay and the command palette all read BINDINGS (with the config's
// [keys.<section>] tables applied over them, see applyOverrides). A binding
// maps a key sequence to a command string (as aerc does); commands.ts runs
// the command. Rebinding is data only.
//
// Key notation: one token per key, space-separated for sequences ("g i").
// A printable character is itself ("e", "G", "?"); Shift is part of the
// character, so "G" is Shift+g and "E" is Shift+e. Named keys use
// KeyboardEvent.key names ("Enter", "Escape", "ArrowDown"). Modifiers prefix
// a token: "Ctrl+k", "Alt+x", "Meta+k" (Cmd on macOS), and "Shift+Enter" for
// named keys.
//
// Sections: "list" is any list; a view's own section ("inbox", "later",
// "snoozed", "done") comes before it while that view shows, so a view can
// bind a key differently; "item" is the reading pane; "global" is anywhere in
// the inbox. Overlays ("picker", "palette", "help", "settings", "account")
// and the first-run screen ("welcome") take every key while they are open.
//
// Source filters are digits: 0 every source, 1 email, 2 Slack, 3 GitHub,
// 4 Asana (the picker's 1-5 shadow them while it is open).

export type Section =
  | 'global'
  | 'list'
  | 'inbox'
  | 'later'
  | 'snoozed'
  | 'done'
  | 'held'
  | 'item'
  | 'picker'
  | 'palette'
  | 'welcome'
  | 'help'
  | 'settings'
  | 'account'
  | 'links'
  | 'search'
  | 'searchbox';

/** VIEW_SECTIONS are the sections of one list view, in front of "list" while it shows. */
export const VIEW_SECTIONS = ['inbox', 'later', 'snoozed', 'done', 'search'] as const;

export interface Binding {
  keys: string;
  command: string;
  section: Section;
  description: string;
  /** Fires in a text field too (the palette's Enter and arrows). */
  field?: boolean;
}

/** SECTIONS names each section for the help overlay, in the order it lists them. */
export const SECTIONS: { id: Section; title: string }[] = [
  { id: 'list', title: 'List' },
  { id: 'inbox', title: 'Inbox view' },
  { id: 'later', title: 'Later view' },
  { id: 'snoozed', title: 'Snoozed view' },
  { id: 'done', title: 'Done view' },
  { id: 'search', title: 'Search results' },
  { id: 'held', title: 'Held view' },
  { id: 'item', title: 'Reading pane' },
  { id: 'global', title: 'Anywhere' },
  { id: 'picker', title: 'Later and snooze picker' },
  { id: 'palette', title: 'Command palette' },
  { id: 'welcome', title: 'Welcome screen' },
  { id: 'help', title: 'This overlay' },
  { id: 'settings', title: 'Settings' },
  { id: 'account', title: 'Add an account' },
  { id: 'links', title: 'Link list' },
  { id: 'searchbox', title: 'Search box' },
];

export const BINDINGS: Binding[] = [
  // List
  { keys: 'j', command: 'next', section: 'list', description: 'Next item' },
  { keys: 'ArrowDown', command: 'next', section: 'list', description: 'Next item' },
  { keys: 'k', command: 'prev', section: 'list', description: 'Previous item' },
  { keys: 'ArrowUp', command: 'prev', section: 'list', description: 'Previous item' },
  { keys: 'g g', command: 'first', section: 'list', description: 'First item' },
  { keys: 'G', command: 'last', section: 'list', description: 'Last item' },
  { keys: 'Enter', command: 'open', section: 'list', description: 'Open in reading pane' },
  { keys: 'o', command: 'open', section: 'list', description: 'Open in reading pane' },
  { keys: 'e', command: 'done', section: 'list', description: 'Mark done, go to next' },
  { keys: 'l', command: 'picker later', section: 'list', description: 'Respond later…' },
  { keys: 's', command: 'picker snooze', section: 'list', description: 'Snooze…' },
  { keys: 'I', command: 'inbox', section: 'list', description: 'Move back to inbox' },
  { keys: 'x', command: 'select', section: 'list', description: 'Select or unselect' },
  { keys: 'E', command: 'selection done', section: 'list', description: 'Mark selected done' },
  { keys: 'Escape', command: 'select none', section: 'list', description: 'Clear the selection' },
  { keys: 'O', command: 'browse', section: 'list', description: 'Open in source app or browser' },

  // A view's own keys
  { keys: 'e', command: 'inbox', section: 'done', description: 'Not done: back to inbox' },
  { keys: 'Escape', command: 'search close', section: 'search', description: 'Clear the selection, else close the search' },

  // Reading pane
  { keys: 'Escape', command: 'back', section: 'item', description: 'Back to the list' },
  { keys: 'Escape', command: 'back', section: 'held', description: 'Back to the list' },
  { keys: 'j', command: 'next', section: 'item', description: 'Next item' },
  { keys: 'k', command: 'prev', section: 'item', description: 'Previous item' },
  { keys: 'e', command: 'done', section: 'item', description: 'Mark done, go to next' },
  { keys: 'l', command: 'picker later', section: 'item', description: 'Respond later…' },
  { keys: 's', command: 'picker snooze', section: 'item', description: 'Snooze…' },
  { keys: 'I', command: 'inbox', section: 'item', description: 'Move back to inbox' },
  { keys: 'O', command: 'browse', section: 'item', description: 'Open in source app or browser' },
  { keys: 'ArrowDown', command: 'scroll line-down', section: 'item', description: 'Scroll down' },
  { keys: 'ArrowUp', command: 'scroll line-up', section: 'item', description: 'Scroll up' },
  { keys: 'Space', command: 'scroll page-down', section: 'item', description: 'Page down' },
  { keys: 'PageDown', command: 'scroll page-down', section: 'item', description: 'Page down' },
  { keys: 'Shift+Space', command: 'scroll page-up', section: 'item', description: 'Page up' },
  { keys: 'PageUp', command: 'scroll page-up', section: 'item', description: 'Page up' },
  { keys: 'Home', command: 'scroll top', section: 'item', description: 'To the top' },
  { keys: 'End', command: 'scroll bottom', section: 'item', description: 'To the end' },

  // Anywhere in the inbox
  { keys: 'u', command: 'undo', section: 'global', description: 'Undo' },
  { keys: 'g i', command: 'view inbox', section: 'global', description: 'Go to Inbox' },
  { keys: 'g l', command: 'view later', section: 'global', description: 'Go to Later' },
  { keys: 'g s', command: 'view snoozed', section: 'global', description: 'Go to Snoozed' },
  { keys: 'g d', command: 'view done', section: 'global', description: 'Go to Done' },
  { keys: 'g h', command: 'view held', section: 'global', description: 'Go to Held (a count while focusing)' },
  { keys: '0', command: 'filter all', section: 'global', description: 'Every source' },
  { keys: '1', command: 'filter email', section: 'global', description: 'Email only' },
  { keys: '2', command: 'filter slack', section: 'global', description: 'Slack only' },
  { keys: '3', command: 'filter github', section: 'global', description: 'GitHub only' },
  { keys: '4', command: 'filter asana', section: 'global', description: 'Asana only' },
  { keys: 'Ctrl+k', command: 'palette', section: 'global', description: 'Command palette' },
  { keys: 'Meta+k', command: 'palette', section: 'global', description: 'Command palette' },
  { keys: 'f', command: 'focus toggle', section: 'global', description: 'Start focus (50 min) or stop it' },
  { keys: 'F', command: 'focus next-batch', section: 'global', description: 'Focus until the next batch time' },
  { keys: 'R', command: 'release', section: 'global', description: 'Release held items now' },
  { keys: ',', command: 'settings', section: 'global', description: 'Settings' },
  { keys: 'A', command: 'add-account', section: 'global', description: 'Add an account' },
  { keys: '/', command: 'search', section: 'global', description: 'Search (again: back to the search box)' },
  { keys: '?', command: 'help', section: 'global', description: 'Keyboard shortcuts' },
  // The open message, from the list or the pane (ReadingPane.svelte)
  { keys: 'i', command: 'images load', section: 'global', description: 'Load remote images in this message' },
  { keys: 'T', command: 'images sender', section: 'global', description: 'Always load images from this sender (again to stop)' },
  { keys: 'L', command: 'links show', section: 'global', description: "List the message's links" },

  // The later and snooze picker (the date field takes text; Enter and Esc still work)
  { keys: 'l', command: 'pick norm', section: 'picker', description: 'Usual reply time (Later only)' },
  { keys: '1', command: 'pick 1', section: 'picker', description: 'Next batch' },
  { keys: '2', command: 'pick 2', section: 'picker', description: 'This afternoon' },
  { keys: '3', command: 'pick 3', section: 'picker', description: 'Tomorrow morning' },
  { keys: '4', command: 'pick 4', section: 'picker', description: 'In 3 days' },
  { keys: '5', command: 'pick 5', section: 'picker', description: 'Pick a date' },
  { keys: 'j', command: 'pick-next', section: 'picker', description: 'Next choice' },
  { keys: 'ArrowDown', command: 'pick-next', section: 'picker', description: 'Next choice', field: true },
  { keys: 'k', command: 'pick-prev', section: 'picker', description: 'Previous choice' },
  { keys: 'ArrowUp', command: 'pick-prev', section: 'picker', description: 'Previous choice', field: true },
  { keys: 'Enter', command: 'pick-enter', section: 'picker', description: 'Choose', field: true },
  { keys: 'Escape', command: 'close', section: 'picker', description: 'Cancel' },

  // Command palette (typing filters)
  { keys: 'ArrowDown', command: 'palette-next', section: 'palette', description: 'Next command', field: true },
  { keys: 'Ctrl+n', command: 'palette-next', section: 'palette', description: 'Next command' },
  { keys: 'ArrowUp', command: 'palette-prev', section: 'palette', description: 'Previous command', field: true },
  { keys: 'Ctrl+p', command: 'palette-prev', section: 'palette', description: 'Previous command' },
  { keys: 'Enter', command: 'palette-run', section: 'palette', description: 'Run it', field: true },
  { keys: 'Escape', command: 'close', section: 'palette', description: 'Close' },
  { keys: 'Ctrl+k', command: 'close', section: 'palette', description: 'Close' },
  { keys: 'Meta+k', command: 'close', section: 'palette', description: 'Close' },

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

  // Link list (L): the open message's links, opened in the system browser
  { keys: 'j', command: 'links next', section: 'links', description: 'Next link' },
  { keys: 'ArrowDown', command: 'links next', section: 'links', description: 'Next link' },
  { keys: 'k', command: 'links prev', section: 'links', description: 'Previous link' },
  { keys: 'ArrowUp', command: 'links prev', section: 'links', description: 'Previous link' },
  { keys: 'Enter', command: 'links open', section: 'links', description: 'Open in the browser' },
  { keys: 'o', command: 'links open', section: 'links', description: 'Open in the browser' },
  { keys: 'Escape', command: 'links close', section: 'links', description: 'Close' },
  { keys: 'L', command: 'links close', section: 'links', description: 'Close' },

  // The search box (the / view): typing searches as you go
  { keys: 'Enter', command: 'search results', section: 'searchbox', description: 'Go to the results', field: true },
  { keys: 'ArrowDown', command: 'search results', section: 'searchbox', description: 'Go to the results', field: true },
  { keys: 'Escape', command: 'search close', section: 'searchbox', description: 'Close the search', field: true },

  // Help overlay
  { keys: 'Escape', command: 'close', section: 'help', description: 'Close' },
  { keys: '?', command: 'close', section: 'help', description: 'Close' },
];

/**
 * Overrides are the config's [keys.<section>] tables as Settings.Keys sends
 * them: section → command → keys (already in this notation).
 */
export type Overrides = Record<string, Record<string, string[]>>;

const SECTION_IDS = new Set<string>(SECTIONS.map((s) => s.id));

/**
 * applyOverrides returns bindings with the config's keys applied: a command
 * named in a section loses its default keys there and gets the given ones
 * (none: unbound); a key given to a command leaves whatever had it in that
 * section. Descriptions come from the command's default binding, or from
 * describe (the palette's catalogue) for a command that had none.
 */
export function applyOverrides(
  bindings: Binding[],
  overrides: Overrides | null | undefined,
  describe: (command: string) => string = (c) => c,
): Binding[] {
  let out = [...bindings];
  for (const [section, commands] of Object.entries(overrides ?? {})) {
    if (!SECTION_IDS.has(section)) continue;
    for (const [command, keys] of Object.entries(commands ?? {})) {
      const was = out.find((b) => b.section === section && b.command === command) ?? bindings.find((b) => b.command === command);
      const taken = new Set((keys ?? []).map((k) => tokens(k).join(' ')));
      out = out.filter((b) => b.section !== section || (b.command !== command && !taken.has(tokens(b.keys).join(' '))));
      for (const k of taken) {
        const b: Binding = { keys: k, command, section: section as Section, description: was?.description ?? describe(command) };
        if (was?.field) b.field = true;
        out.push(b);
      }
    }
  }
  return out;
}

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
    // Bindings marked field (the palette's Enter and arrows) fire there too.
    const chord = e.key === 'Escape' || e.ctrlKey || e.metaKey;
    if (e.isComposing) {
      this.pending = [];
      return { kind: 'none' };
    }
    if (e.editable && !chord) {
      this.pending = [];
      const tok = keyToken(e);
      const hit = tok === null ? undefined : this.exact([tok], sections, true);
      return hit ? { kind: 'command', command: hit.command, binding: hit } : { kind: 'none' };
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

  private exact(seq: string[], sections: readonly Section[], fieldOnly = false): Binding | undefined {
    for (const s of sections) {
      const hit = this.parsed.find(
        (p) => p.binding.section === s && sameSeq(p.seq, seq) && (!fieldOnly || p.binding.field),
      );
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

/**
 * keysAnywhere lists the keys that run a command from the list, the
 * reading pane or anywhere in the inbox (what the palette shows), first
 * found first, without repeats; a view's own keys only when those have none.
 */
export function keysAnywhere(command: string, bindings: Binding[] = BINDINGS): string[] {
  const collect = (where: readonly Section[]) => {
    const out: string[] = [];
    for (const s of where) {
      for (const b of bindings) {
        if (b.section === s && b.command === command && !out.includes(b.keys)) out.push(b.keys);
      }
    }
    return out;
  };
  const keys = collect(['list', 'item', 'global']);
  return keys.length ? keys : collect(VIEW_SECTIONS);
}
