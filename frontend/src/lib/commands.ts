// Commands are strings ("done", "view later", "snooze 2h"), as in aerc: the
// keymap binds keys to them, and later a command palette or the tray can send
// the same strings. This module parses a command and calls its handler.

/** Triage verbs: the whole command string goes to Triage.Run on the backend. */
export const TRIAGE_VERBS: ReadonlySet<string> = new Set(['done', 'inbox', 'later', 'snooze']);

export interface Parsed {
  name: string;
  args: string[];
  raw: string;
}

/** parse splits "view inbox" into name "view" and args ["inbox"]. */
export function parse(command: string): Parsed {
  const raw = command.trim().replace(/\s+/g, ' ');
  const [name = '', ...args] = raw.split(' ');
  return { name, args, raw };
}

/** A command handler gets the command's arguments and the whole command. */
export type Handler = (args: string[], raw: string) => unknown;

export interface Handlers {
  /** Runs every triage verb with the whole command ("later tomorrow"). */
  triage: (command: string) => unknown;
  /** Every other command, by name. */
  commands: Record<string, Handler>;
}

/**
 * createDispatcher returns dispatch(command). Triage verbs go to
 * handlers.triage with the whole command; any other name goes to the handler
 * in handlers.commands with its arguments. Unknown commands report through
 * onUnknown and return false.
 */
export function createDispatcher(handlers: Handlers, onUnknown: (raw: string) => void = () => {}) {
  return function dispatch(command: string): boolean {
    const p = parse(command);
    if (!p.name) return false;
    if (TRIAGE_VERBS.has(p.name)) {
      void handlers.triage(p.raw);
      return true;
    }
    const h = Object.hasOwn(handlers.commands, p.name) ? handlers.commands[p.name] : undefined;
    if (typeof h !== 'function') {
      onUnknown(p.raw);
      return false;
    }
    void h(p.args, p.raw);
    return true;
  };
}

/** A command the palette offers, with what it says. */
export interface CatalogEntry {
  command: string;
  title: string;
  group: 'Go to' | 'Triage' | 'Selection' | 'Move' | 'Focus' | 'Lull';
}

/**
 * CATALOG is every command the window runs from the list or the reading
 * pane, for the command palette (Ctrl/Cmd+K). The palette shows each with its
 * keys from the keymap; keymap.test.ts checks that every bound command is here.
 */
export const CATALOG: CatalogEntry[] = [
  { command: 'view inbox', title: 'Go to Inbox', group: 'Go to' },
  { command: 'view later', title: 'Go to Later', group: 'Go to' },
  { command: 'view snoozed', title: 'Go to Snoozed', group: 'Go to' },
  { command: 'view done', title: 'Go to Done', group: 'Go to' },
  { command: 'view held', title: 'Go to Held', group: 'Go to' },
  { command: 'search', title: 'Search', group: 'Go to' },
  { command: 'search close', title: 'Close the search', group: 'Go to' },
  { command: 'filter all', title: 'Show every source', group: 'Go to' },
  { command: 'filter email', title: 'Show email only', group: 'Go to' },
  { command: 'filter slack', title: 'Show Slack only', group: 'Go to' },
  { command: 'filter github', title: 'Show GitHub only', group: 'Go to' },
  { command: 'filter asana', title: 'Show Asana only', group: 'Go to' },

  { command: 'done', title: 'Mark done', group: 'Triage' },
  { command: 'inbox', title: 'Move back to inbox', group: 'Triage' },
  { command: 'picker later', title: 'Respond later…', group: 'Triage' },
  { command: 'later', title: 'Respond later, by the usual reply time', group: 'Triage' },
  { command: 'later next-batch', title: 'Respond later, by the next batch', group: 'Triage' },
  { command: 'later this-afternoon', title: 'Respond later, by this afternoon', group: 'Triage' },
  { command: 'later tomorrow-morning', title: 'Respond later, by tomorrow morning', group: 'Triage' },
  { command: 'later in-3-days', title: 'Respond later, in 3 days', group: 'Triage' },
  { command: 'picker snooze', title: 'Snooze…', group: 'Triage' },
  { command: 'snooze next-batch', title: 'Snooze until the next batch', group: 'Triage' },
  { command: 'snooze this-afternoon', title: 'Snooze until this afternoon', group: 'Triage' },
  { command: 'snooze tomorrow-morning', title: 'Snooze until tomorrow morning', group: 'Triage' },
  { command: 'snooze in-3-days', title: 'Snooze for 3 days', group: 'Triage' },
  { command: 'undo', title: 'Undo', group: 'Triage' },

  { command: 'select', title: 'Select or unselect', group: 'Selection' },
  { command: 'select none', title: 'Clear the selection', group: 'Selection' },
  { command: 'selection done', title: 'Mark selected done', group: 'Selection' },
  { command: 'selection picker later', title: 'Respond later to selected…', group: 'Selection' },
  { command: 'selection picker snooze', title: 'Snooze selected…', group: 'Selection' },

  { command: 'next', title: 'Next item', group: 'Move' },
  { command: 'prev', title: 'Previous item', group: 'Move' },
  { command: 'first', title: 'First item', group: 'Move' },
  { command: 'last', title: 'Last item', group: 'Move' },
  { command: 'open', title: 'Open in reading pane', group: 'Move' },
  { command: 'back', title: 'Back to the list', group: 'Move' },
  { command: 'browse', title: 'Open in source app or browser', group: 'Move' },
  { command: 'images load', title: 'Load remote images in this message', group: 'Move' },
  { command: 'images sender', title: 'Always load images from this sender', group: 'Move' },
  { command: 'links show', title: "List the message's links", group: 'Move' },
  { command: 'scroll line-down', title: 'Scroll the message down', group: 'Move' },
  { command: 'scroll line-up', title: 'Scroll the message up', group: 'Move' },
  { command: 'scroll page-down', title: 'Page down in the message', group: 'Move' },
  { command: 'scroll page-up', title: 'Page up in the message', group: 'Move' },
  { command: 'scroll top', title: 'To the top of the message', group: 'Move' },
  { command: 'scroll bottom', title: 'To the end of the message', group: 'Move' },

  { command: 'focus toggle', title: 'Start or stop focus', group: 'Focus' },
  { command: 'focus next-batch', title: 'Focus until the next batch time', group: 'Focus' },
  { command: 'release', title: 'Release held items now', group: 'Focus' },

  { command: 'settings', title: 'Settings', group: 'Lull' },
  { command: 'add-account', title: 'Add an account', group: 'Lull' },
  { command: 'help', title: 'Keyboard shortcuts', group: 'Lull' },
];

/** titleOf names a command for people: its catalogue title, else the command. */
export function titleOf(command: string): string {
  return CATALOG.find((c) => c.command === command)?.title ?? command;
}

/**
 * fuzzyScore rates how well query matches text: null when the query's
 * letters do not all appear in order; otherwise higher is better, with
 * bonuses for letters at word starts and for runs of consecutive letters
 * (so "sntm" finds "Snooze until tomorrow morning"). Case is ignored.
 */
export function fuzzyScore(query: string, text: string): number | null {
  const q = query.toLowerCase().replace(/\s+/g, '');
  if (!q) return 0;
  const t = text.toLowerCase();
  let score = 0;
  let from = 0;
  let prev = -2;
  for (const ch of q) {
    // Prefer the next occurrence that starts a word, if there is one.
    let i = -1;
    for (let j = t.indexOf(ch, from); j >= 0; j = t.indexOf(ch, j + 1)) {
      if (i < 0) i = j;
      if (j === prev + 1) {
        i = j;
        break;
      }
      if (j === 0 || /[\s\-,.…]/.test(t[j - 1])) {
        i = j;
        break;
      }
    }
    if (i < 0) return null;
    score += 1;
    if (i === prev + 1) score += 3;
    if (i === 0 || /[\s\-,.…]/.test(t[i - 1])) score += 2;
    score -= Math.min(i - from, 5) * 0.1;
    prev = i;
    from = i + 1;
  }
  return score;
}

/** A palette line: a catalogue entry with its keys. */
export interface PaletteEntry extends CatalogEntry {
  keys: string[];
}

/**
 * filterPalette returns the entries matching query, best first; ties keep
 * the catalogue order. An empty query returns every entry.
 */
export function filterPalette(query: string, entries: PaletteEntry[]): PaletteEntry[] {
  const scored: { e: PaletteEntry; s: number; i: number }[] = [];
  entries.forEach((e, i) => {
    const s = Math.max(fuzzyScore(query, e.title) ?? -Infinity, (fuzzyScore(query, e.command) ?? -Infinity) - 0.5);
    if (s > -Infinity) scored.push({ e, s, i });
  });
  return scored.sort((a, b) => b.s - a.s || a.i - b.i).map((x) => x.e);
}
