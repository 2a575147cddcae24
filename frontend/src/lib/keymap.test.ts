import { describe, expect, it } from 'vitest';
import {
  BINDINGS,
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

const LIST: Section[] = ['inbox', 'global'];
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
    // Escape means nothing in the list.
    expect(m.feed(k('Escape'), LIST, 30)).toEqual({ kind: 'none' });
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
    // "i" alone is unbound, so nothing happens.
    expect(m.feed(k('i'), LIST, 1500)).toEqual({ kind: 'none' });
    m.feed(k('g'), LIST, 3000);
    // "j" after a stale "g" is plain "next".
    expect(m.feed(k('j'), LIST, 4500)).toMatchObject({ kind: 'command', command: 'next' });
  });

  it('restarts with the breaking key when a sequence does not match', () => {
    const m = new Matcher();
    m.feed(k('g'), LIST, 0);
    expect(m.feed(k('e'), LIST, 10)).toMatchObject({ kind: 'command', command: 'done' });
    m.feed(k('g'), LIST, 20);
    // "g x" is nothing; then "g" starts a new sequence.
    expect(m.feed(k('x'), LIST, 30)).toEqual({ kind: 'none' });
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
      ['j', 'next', 'inbox'],
      ['ArrowDown', 'next', 'inbox'],
      ['k', 'prev', 'inbox'],
      ['ArrowUp', 'prev', 'inbox'],
      ['Enter', 'open', 'inbox'],
      ['o', 'open', 'inbox'],
      ['Escape', 'back', 'item'],
      ['e', 'done', 'inbox'],
      ['u', 'undo', 'global'],
      ['g i', 'view inbox', 'global'],
      ['g l', 'view later', 'global'],
      ['g s', 'view snoozed', 'global'],
      ['g d', 'view done', 'global'],
      ['?', 'help', 'global'],
      ['G', 'last', 'inbox'],
      ['g g', 'first', 'inbox'],
    ];
    for (const [keys, command, section] of want) {
      expect(BINDINGS.find((b) => b.keys === keys && b.section === section)?.command, keys).toBe(command);
    }
  });

  it('groups bindings for the help overlay, merging keys of one command', () => {
    const groups = helpGroups();
    expect(groups.map((g) => g.section)).toEqual(['inbox', 'item', 'global', 'welcome', 'help', 'settings', 'account']);
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
