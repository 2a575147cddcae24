import { describe, expect, it } from 'vitest';
import { CATALOG } from './commands';
import {
  applyOverrides,
  BINDINGS,
  keysAnywhere,
  Matcher,
  displayKeys,
  helpGroups,
  isEditable,
  keyToken,
  keysFor,
  type Binding,
  type KeyPress,
  type Section,
} from './keymap';

const LIST: Section[] = ['inbox', 'list', 'global'];
const ITEM: Section[] = ['item', 'global'];

function k(key: string, extra: Partial<KeyPress> = {}): KeyPress {
  return { key, ...extra };
}

describe('keyToken', () => {
  it.each<[KeyPress, string | null]>([
    [k('j'), 'j'],
    [k('G', { shiftKey: true }), 'G'],
    [k('?', { shiftKey: true }), '?'],
    [k('Enter'), 'Enter'],
    [k('Enter', { shiftKey: true }), 'Shift+Enter'],
    [k('d', { ctrlKey: true }), 'Ctrl+d'],
    [k('g', { ctrlKey: true, shiftKey: true }), 'Ctrl+G'],
    [k('k', { metaKey: true }), 'Meta+k'],
    [k('x', { altKey: true }), 'Alt+x'],
    [k(' '), 'Space'],
    [k('Shift', { shiftKey: true }), null],
    [k('Control', { ctrlKey: true }), null],
    [k('Dead'), null],
  ])('%o → %s', (press, want) => {
    expect(keyToken(press)).toBe(want);
  });
});

describe('Matcher', () => {
  it('maps single keys to commands by section', () => {
    const m = new Matcher();
    expect(m.feed(k('j'), LIST, 0)).toMatchObject({ kind: 'command', command: 'next' });
    expect(m.feed(k('ArrowUp'), LIST, 10)).toMatchObject({ kind: 'command', command: 'prev' });
    expect(m.feed(k('Escape'), ITEM, 20)).toMatchObject({ kind: 'command', command: 'back' });
    // Escape in the list clears the selection.
    expect(m.feed(k('Escape'), LIST, 30)).toMatchObject({ kind: 'command', command: 'select none' });
    expect(m.feed(k('Escape'), ['welcome'], 40)).toMatchObject({ kind: 'command', command: 'back' });
    expect(m.feed(k('Escape'), ['held', 'global'], 50)).toMatchObject({ kind: 'command', command: 'back' });
  });

  it('matches two-key sequences within the timeout', () => {
    const m = new Matcher(BINDINGS, { timeoutMs: 1000 });
    expect(m.feed(k('g'), LIST, 0)).toEqual({ kind: 'pending', sequence: ['g'] });
    expect(m.sequence).toEqual(['g']);
    expect(m.feed(k('l'), LIST, 500)).toMatchObject({ kind: 'command', command: 'view later' });
    expect(m.sequence).toEqual([]);
    m.feed(k('g'), LIST, 2000);
    expect(m.feed(k('g'), LIST, 2100)).toMatchObject({ kind: 'command', command: 'first' });
  });

  it('drops a sequence after the timeout and reads the key on its own', () => {
    const m = new Matcher(BINDINGS, { timeoutMs: 1000 });
    m.feed(k('g'), LIST, 0);
    // The stale "g" is dropped: "i" alone loads the message's images.
    expect(m.feed(k('i'), LIST, 1500)).toMatchObject({ kind: 'command', command: 'images load' });
    m.feed(k('g'), LIST, 3000);
    // "j" after a stale "g" is plain "next".
    expect(m.feed(k('j'), LIST, 4500)).toMatchObject({ kind: 'command', command: 'next' });
  });

  it('restarts with the breaking key when a sequence does not match', () => {
    const m = new Matcher();
    m.feed(k('g'), LIST, 0);
    expect(m.feed(k('e'), LIST, 10)).toMatchObject({ kind: 'command', command: 'done' });
    m.feed(k('g'), LIST, 20);
    // "g z" is nothing; then "g" starts a new sequence.
    expect(m.feed(k('z'), LIST, 30)).toEqual({ kind: 'none' });
    expect(m.feed(k('g'), LIST, 40)).toMatchObject({ kind: 'pending' });
    expect(m.feed(k('d'), LIST, 50)).toMatchObject({ kind: 'command', command: 'view done' });
  });

  it('keeps a sequence alive across a bare modifier press', () => {
    const m = new Matcher([{ keys: 'g G', command: 'x', section: 'inbox', description: '' }]);
    m.feed(k('g'), LIST, 0);
    expect(m.feed(k('Shift', { shiftKey: true }), LIST, 5)).toMatchObject({ kind: 'pending' });
    expect(m.feed(k('G', { shiftKey: true }), LIST, 10)).toMatchObject({ kind: 'command', command: 'x' });
  });

  it('distinguishes G (Shift+g) from g', () => {
    const m = new Matcher();
    expect(m.feed(k('G', { shiftKey: true }), LIST, 0)).toMatchObject({ kind: 'command', command: 'last' });
  });

  it('ignores keys typed into text fields and resets a pending sequence', () => {
    const m = new Matcher();
    m.feed(k('g'), LIST, 0);
    expect(m.feed(k('i', { editable: true }), LIST, 10)).toEqual({ kind: 'none' });
    expect(m.sequence).toEqual([]);
    expect(m.feed(k('j', { editable: true }), LIST, 20)).toEqual({ kind: 'none' });
    expect(m.feed(k('j', { isComposing: true }), LIST, 30)).toEqual({ kind: 'none' });
  });

  it('leaves modified keys to the browser unless bound', () => {
    const m = new Matcher();
    expect(m.feed(k('e', { ctrlKey: true }), LIST, 0)).toEqual({ kind: 'none' });
    expect(m.feed(k('c', { metaKey: true }), LIST, 10)).toEqual({ kind: 'none' });
    const custom = new Matcher([{ keys: 'Ctrl+d', command: 'down', section: 'inbox', description: '' }]);
    expect(custom.feed(k('d', { ctrlKey: true }), LIST, 0)).toMatchObject({ kind: 'command', command: 'down' });
    expect(custom.feed(k('d'), LIST, 10)).toEqual({ kind: 'none' });
  });

  it('lets an earlier section shadow a later one', () => {
    const bindings: Binding[] = [
      { keys: 'x', command: 'global-x', section: 'global', description: '' },
      { keys: 'x', command: 'item-x', section: 'item', description: '' },
    ];
    const m = new Matcher(bindings);
    expect(m.feed(k('x'), ['item', 'global'], 0)).toMatchObject({ command: 'item-x' });
    expect(m.feed(k('x'), ['inbox', 'global'], 10)).toMatchObject({ command: 'global-x' });
  });

  it('waits when a binding is a prefix of a longer one, and fires it on expire', () => {
    const bindings: Binding[] = [
      { keys: 'd', command: 'short', section: 'inbox', description: '' },
      { keys: 'd d', command: 'long', section: 'inbox', description: '' },
    ];
    const m = new Matcher(bindings);
    expect(m.feed(k('d'), LIST, 0)).toMatchObject({ kind: 'pending' });
    expect(m.expire(LIST)).toMatchObject({ kind: 'command', command: 'short' });
    m.feed(k('d'), LIST, 10);
    expect(m.feed(k('d'), LIST, 20)).toMatchObject({ kind: 'command', command: 'long' });
    expect(m.expire(LIST)).toEqual({ kind: 'none' });
  });

  it('uses only the help section while the overlay is open', () => {
    const m = new Matcher();
    expect(m.feed(k('j'), ['help'], 0)).toEqual({ kind: 'none' });
    expect(m.feed(k('?', { shiftKey: true }), ['help'], 10)).toMatchObject({ command: 'close' });
    expect(m.feed(k('Escape'), ['help'], 20)).toMatchObject({ command: 'close' });
  });
});

describe('the default keymap', () => {
  it('has no two bindings with the same keys in one section', () => {
    const seen = new Set<string>();
    for (const b of BINDINGS) {
      const key = `${b.section}:${b.keys}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
  });

  it('binds the documented defaults', () => {
    const want: [string, string, Section][] = [
      ['j', 'next', 'list'],
      ['ArrowDown', 'next', 'list'],
      ['k', 'prev', 'list'],
      ['ArrowUp', 'prev', 'list'],
      ['Enter', 'open', 'list'],
      ['o', 'open', 'list'],
      ['Escape', 'back', 'item'],
      ['e', 'done', 'list'],
      ['l', 'picker later', 'list'],
      ['s', 'picker snooze', 'list'],
      ['x', 'select', 'list'],
      ['E', 'selection done', 'list'],
      ['O', 'browse', 'list'],
      ['l', 'picker later', 'item'],
      ['s', 'picker snooze', 'item'],
      ['Ctrl+k', 'palette', 'global'],
      ['Meta+k', 'palette', 'global'],
      ['1', 'filter email', 'global'],
      ['0', 'filter all', 'global'],
      ['u', 'undo', 'global'],
      ['g i', 'view inbox', 'global'],
      ['g l', 'view later', 'global'],
      ['g s', 'view snoozed', 'global'],
      ['g d', 'view done', 'global'],
      ['?', 'help', 'global'],
      ['G', 'last', 'list'],
      ['g g', 'first', 'list'],
    ];
    for (const [keys, command, section] of want) {
      expect(BINDINGS.find((b) => b.keys === keys && b.section === section)?.command, keys).toBe(command);
    }
  });

  it('groups bindings for the help overlay, merging keys of one command', () => {
    const groups = helpGroups();
    expect(groups.map((g) => g.section)).toEqual([
      'list', 'done', 'search', 'held', 'item', 'global', 'picker', 'palette', 'welcome', 'help', 'settings', 'account', 'links', 'searchbox',
    ]);
    const next = groups[0].rows.find((r) => r.description === 'Next item');
    expect(next?.keys).toEqual(['j', 'ArrowDown']);
    const total = groups.reduce((n, g) => n + g.rows.reduce((m, r) => m + r.keys.length, 0), 0);
    expect(total).toBe(BINDINGS.length);
  });

  it('finds keys for button hints', () => {
    expect(keysFor('sample', 'welcome')).toBe('s');
    expect(keysFor('nope', 'inbox')).toBeUndefined();
  });
});

describe('displayKeys', () => {
  it('renders key caps', () => {
    expect(displayKeys('g i')).toEqual(['g', 'i']);
    expect(displayKeys('ArrowDown')).toEqual(['↓']);
    expect(displayKeys('Escape')).toEqual(['Esc']);
    expect(displayKeys('Ctrl+d')).toEqual(['Ctrl d']);
  });
});

describe('isEditable', () => {
  it('recognises text fields', () => {
    expect(isEditable({ tagName: 'INPUT', type: 'text' } as unknown as EventTarget)).toBe(true);
    expect(isEditable({ tagName: 'INPUT', type: 'checkbox' } as unknown as EventTarget)).toBe(false);
    expect(isEditable({ tagName: 'TEXTAREA' } as unknown as EventTarget)).toBe(true);
    expect(isEditable({ tagName: 'DIV', isContentEditable: true } as unknown as EventTarget)).toBe(true);
    expect(isEditable({ tagName: 'DIV' } as unknown as EventTarget)).toBe(false);
    expect(isEditable(null)).toBe(false);
  });
});

describe('keys typed into a field', () => {
  it('are text, except Escape and Ctrl chords', () => {
    const m = new Matcher();
    expect(m.feed({ key: 'e', editable: true }, ['settings', 'global'], 0).kind).toBe('none');
    expect(m.feed({ key: 'Escape', editable: true }, ['settings'], 1)).toMatchObject({ kind: 'command', command: 'close' });
    expect(m.feed({ key: 'Enter', ctrlKey: true, editable: true }, ['settings'], 2)).toMatchObject({ kind: 'command', command: 'save' });
  });

  it('test, save and cancel the account form from any field', () => {
    const m = new Matcher();
    const form: Section[] = ['account'];
    expect(m.feed({ key: 'A', shiftKey: true, editable: true }, form, 0).kind).toBe('none');
    expect(m.feed({ key: 'Enter', ctrlKey: true, editable: true }, form, 1)).toMatchObject({ command: 'account-test' });
    expect(m.feed({ key: 's', ctrlKey: true, editable: true }, form, 2)).toMatchObject({ command: 'account-save' });
    expect(m.feed({ key: 'Escape', editable: true }, form, 3)).toMatchObject({ command: 'close' });
    // A opens the form from the list and the reading pane.
    expect(m.feed({ key: 'A', shiftKey: true }, LIST, 10)).toMatchObject({ command: 'add-account' });
    expect(m.feed({ key: 'A', shiftKey: true }, ITEM, 20)).toMatchObject({ command: 'add-account' });
  });
});

describe('view sections', () => {
  it('put a view in front of the list', () => {
    const m = new Matcher();
    expect(m.feed(k('e'), ['done', 'list', 'global'], 0)).toMatchObject({ command: 'inbox' });
    expect(m.feed(k('e'), ['later', 'list', 'global'], 10)).toMatchObject({ command: 'done' });
  });
});

describe('field bindings', () => {
  it('fire in a text field; other keys stay text', () => {
    const m = new Matcher();
    const pal: Section[] = ['palette'];
    expect(m.feed({ key: 'ArrowDown', editable: true }, pal, 0)).toMatchObject({ command: 'palette-next' });
    expect(m.feed({ key: 'Enter', editable: true }, pal, 1)).toMatchObject({ command: 'palette-run' });
    expect(m.feed({ key: 'n', ctrlKey: true, editable: true }, pal, 2)).toMatchObject({ command: 'palette-next' });
    expect(m.feed({ key: 'k', ctrlKey: true, editable: true }, pal, 3)).toMatchObject({ command: 'close' });
    expect(m.feed({ key: 'j', editable: true }, pal, 4)).toEqual({ kind: 'none' });
    // In the picker's date field, j is a letter but Enter chooses.
    expect(m.feed({ key: 'j', editable: true }, ['picker'], 5)).toEqual({ kind: 'none' });
    expect(m.feed({ key: 'Enter', editable: true }, ['picker'], 6)).toMatchObject({ command: 'pick-enter' });
    // Outside a field, picker keys pick.
    expect(m.feed(k('3'), ['picker'], 7)).toMatchObject({ command: 'pick 3' });
    expect(m.feed(k('l'), ['picker'], 8)).toMatchObject({ command: 'pick norm' });
  });
});

describe('applyOverrides', () => {
  it('replaces a command\'s keys in its section only', () => {
    const b = applyOverrides(BINDINGS, { list: { done: ['d'] } });
    const m = new Matcher(b);
    expect(m.feed(k('d'), LIST, 0)).toMatchObject({ command: 'done', binding: { description: 'Mark done, go to next' } });
    expect(m.feed(k('e'), LIST, 10)).toEqual({ kind: 'none' });
    // The reading pane keeps its own e.
    expect(m.feed(k('e'), ['item', 'global'], 20)).toMatchObject({ command: 'done' });
  });

  it('moves a key from the command that had it', () => {
    const b = applyOverrides(BINDINGS, { list: { 'picker snooze': ['z'], done: ['s'] } });
    const m = new Matcher(b);
    expect(m.feed(k('s'), LIST, 0)).toMatchObject({ command: 'done' });
    expect(m.feed(k('z'), LIST, 10)).toMatchObject({ command: 'picker snooze' });
    expect(b.filter((x) => x.section === 'list' && x.keys === 's')).toHaveLength(1);
  });

  it('binds several keys, sequences, unbinds and new commands', () => {
    const b = applyOverrides(
      BINDINGS,
      { global: { 'view later': ['g l', 'L'], help: [], 'snooze tomorrow-morning': ['Z'] }, bogus: { done: ['q'] } },
      (c) => `described ${c}`,
    );
    const m = new Matcher(b);
    expect(m.feed(k('L', { shiftKey: true }), LIST, 0)).toMatchObject({ command: 'view later' });
    expect(m.feed(k('?', { shiftKey: true }), LIST, 10)).toEqual({ kind: 'none' });
    expect(m.feed(k('Z', { shiftKey: true }), LIST, 20)).toMatchObject({
      command: 'snooze tomorrow-morning',
      binding: { description: 'described snooze tomorrow-morning' },
    });
    expect(b.some((x) => x.keys === 'q')).toBe(false);
  });

  it('keeps a field binding a field binding', () => {
    const b = applyOverrides(BINDINGS, { palette: { 'palette-run': ['Tab'] } });
    expect(b.find((x) => x.section === 'palette' && x.command === 'palette-run')).toMatchObject({ keys: 'Tab', field: true });
  });

  it('leaves the defaults alone without overrides', () => {
    expect(applyOverrides(BINDINGS, null)).toEqual(BINDINGS);
    expect(applyOverrides(BINDINGS, {})).toEqual(BINDINGS);
  });
});

describe('the palette catalogue', () => {
  it('lists every command bound in the list, the reading pane and anywhere', () => {
    const listed = new Set(CATALOG.map((c) => c.command));
    const where: Section[] = ['list', 'inbox', 'later', 'snoozed', 'done', 'item', 'global'];
    const missing = BINDINGS.filter((b) => where.includes(b.section) && b.command !== 'palette' && !listed.has(b.command));
    expect(missing.map((b) => `${b.section}: ${b.command}`)).toEqual([]);
  });

  it('has no command twice', () => {
    const seen = CATALOG.map((c) => c.command);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('finds keys for the palette', () => {
    expect(keysAnywhere('done')).toEqual(['e']);
    expect(keysAnywhere('palette')).toEqual(['Ctrl+k', 'Meta+k']);
    expect(keysAnywhere('inbox')).toEqual(['I']);
    expect(keysAnywhere('inbox', [{ keys: 'e', command: 'inbox', section: 'done', description: '' }])).toEqual(['e']);
    expect(keysAnywhere('later next-batch')).toEqual([]);
  });
});
