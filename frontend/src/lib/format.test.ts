import { describe, expect, it } from 'vitest';
import {
  bodyBlocks,
  cleanSnippet,
  count,
  dueLabel,
  fileSize,
  fullTime,
  linkify,
  people,
  person,
  quoteDepth,
  relativeTime,
  safeURL,
  secondLine,
  syncLabel,
} from './format';

// Local-time constructors keep these tests independent of the machine's zone.
const now = new Date(2024, 2, 14, 16, 30); // Thu 14 Mar 2024, 16:30

describe('relativeTime', () => {
  it.each<[Date, string]>([
    [new Date(2024, 2, 14, 14, 5), '14:05'],
    [new Date(2024, 2, 14, 0, 0), '00:00'],
    [new Date(2024, 2, 13, 23, 59), 'Wed'],
    [new Date(2024, 2, 12, 9, 0), 'Tue'],
    [new Date(2024, 2, 8, 9, 0), 'Fri'],
    [new Date(2024, 2, 7, 9, 0), '7 Mar'],
    [new Date(2024, 0, 1, 9, 0), '1 Jan'],
    [new Date(2023, 11, 31, 9, 0), '31 Dec 2023'],
    [new Date(2024, 2, 14, 18, 0), '18:00'], // later today (clock skew)
    [new Date(2024, 2, 20, 9, 0), '20 Mar'], // future day
  ])('%s → %s', (d, want) => {
    expect(relativeTime(d, now)).toBe(want);
  });

  it('accepts RFC 3339 strings and rejects garbage', () => {
    const d = new Date(2024, 2, 14, 9, 7);
    expect(relativeTime(d.toISOString(), now)).toBe('09:07');
    expect(relativeTime('not a date', now)).toBe('');
  });
});

describe('fullTime', () => {
  it('formats a full local timestamp', () => {
    expect(fullTime(new Date(2024, 2, 12, 14, 5))).toBe('Tue 12 Mar 2024, 14:05');
    expect(fullTime('nope')).toBe('');
  });
});

describe('dueLabel', () => {
  it('says when an item is due', () => {
    expect(dueLabel(undefined, now)).toEqual({ text: '', overdue: false });
    expect(dueLabel(new Date(2024, 2, 14, 12).toISOString(), now)).toEqual({ text: 'overdue', overdue: true });
    expect(dueLabel(new Date(2024, 2, 14, 18).toISOString(), now).text).toBe('due 18:00');
    expect(dueLabel(new Date(2024, 2, 16, 9).toISOString(), now).text).toBe('due Sat');
    expect(dueLabel(new Date(2024, 3, 2, 9).toISOString(), now).text).toBe('due 2 Apr');
    expect(dueLabel('0001-01-01T00:00:00Z', now).text).toBe('');
  });
});

describe('cleanSnippet', () => {
  it('drops quotes and reply headers and collapses whitespace', () => {
    const s = 'Sounds good,\n  see you then.\r\n\r\nOn Tue, Ann wrote:\n> Lunch at 1?\n>> earlier';
    expect(cleanSnippet(s)).toBe('Sounds good, see you then.');
  });
  it('cuts long text with an ellipsis', () => {
    const out = cleanSnippet('word '.repeat(100), 20);
    expect(out.length).toBeLessThanOrEqual(20);
    expect(out.endsWith('…')).toBe(true);
  });
  it('handles empty input', () => {
    expect(cleanSnippet(undefined)).toBe('');
    expect(cleanSnippet('> only a quote')).toBe('');
  });
});

describe('secondLine', () => {
  it('removes a snippet prefix that repeats the title', () => {
    expect(secondLine('Deploy failed', 'Deploy failed: step 3 timed out')).toEqual({
      title: 'Deploy failed',
      snippet: 'step 3 timed out',
    });
    expect(secondLine(' Lunch ', 'Are we still on?')).toEqual({ title: 'Lunch', snippet: 'Are we still on?' });
  });
});

describe('quoteDepth', () => {
  it.each<[string, number]>([
    ['hello', 0],
    ['> hi', 1],
    ['>> hi', 2],
    ['> > hi', 2],
    ['  > indented', 1],
    ['a > b', 0],
  ])('%s → %d', (line, want) => expect(quoteDepth(line)).toBe(want));
});

describe('bodyBlocks', () => {
  it('splits quoted runs from text and keeps line breaks', () => {
    const body = 'Hi Ann,\r\nYes, Thursday works.\n\nOn Tue, Ann wrote:\n> Can we move it?\n>\n>> Original\n\nThanks\n';
    expect(bodyBlocks(body)).toEqual([
      { quoted: false, depth: 0, text: 'Hi Ann,\nYes, Thursday works.\n\nOn Tue, Ann wrote:' },
      { quoted: true, depth: 1, text: '> Can we move it?\n>\n>> Original' },
      { quoted: false, depth: 0, text: '\nThanks' },
    ]);
  });

  it('trims trailing spaces, edge blank lines and long blank runs', () => {
    expect(bodyBlocks('\n\nA   \n\n\n\n\nB\n\n')).toEqual([{ quoted: false, depth: 0, text: 'A\n\n\nB' }]);
  });

  it('handles empty bodies', () => {
    expect(bodyBlocks(undefined)).toEqual([]);
    expect(bodyBlocks('\n \n')).toEqual([]);
  });
});

describe('linkify', () => {
  it('finds http, https, mailto and bare addresses', () => {
    expect(linkify('See https://example.com/a?b=1. Or mail me@example.org!')).toEqual([
      { text: 'See ' },
      { text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { text: '. Or mail ' },
      { text: 'me@example.org', href: 'mailto:me@example.org' },
      { text: '!' },
    ]);
  });
  it('keeps balanced parentheses and drops an unbalanced one', () => {
    expect(linkify('(https://en.wikipedia.org/wiki/Foo_(bar))')).toEqual([
      { text: '(' },
      { text: 'https://en.wikipedia.org/wiki/Foo_(bar)', href: 'https://en.wikipedia.org/wiki/Foo_(bar)' },
      { text: ')' },
    ]);
  });
  it('leaves other schemes alone', () => {
    expect(linkify('javascript:alert(1) file:///etc/passwd')).toEqual([{ text: 'javascript:alert(1) file:///etc/passwd' }]);
  });
});

describe('safeURL', () => {
  it('allows only http, https and mailto', () => {
    expect(safeURL('https://github.com/x')).toBe(true);
    expect(safeURL('mailto:a@b.c')).toBe(true);
    expect(safeURL('javascript:alert(1)')).toBe(false);
    expect(safeURL('file:///etc')).toBe(false);
    expect(safeURL(undefined)).toBe(false);
  });
});

describe('people', () => {
  it('formats senders and recipients', () => {
    expect(person({ name: 'Ann', addr: 'ann@x.org' })).toBe('Ann <ann@x.org>');
    expect(person({ addr: 'ann@x.org' })).toBe('ann@x.org');
    expect(person({ name: 'ann@x.org', addr: 'ann@x.org' })).toBe('ann@x.org');
    expect(people([{ name: 'A' }, { addr: 'b@x' }, { name: 'C' }], 2)).toBe('A, b@x and 1 more');
    expect(people(undefined)).toBe('');
  });
});

describe('numbers', () => {
  it('formats sizes and counts', () => {
    expect(fileSize(812)).toBe('812 B');
    expect(fileSize(4200)).toBe('4.2 KB');
    expect(fileSize(13_000_000)).toBe('13 MB');
    expect(fileSize(2_000)).toBe('2 KB');
    expect(count(1204)).toBe('1,204');
    expect(count(7)).toBe('7');
    expect(count(undefined)).toBe('');
  });
});

describe('syncLabel', () => {
  it('describes an account', () => {
    const base = { name: 'sample', kind: 'demo', progress: { done: 120, total: 400, phase: 'mail' } };
    expect(syncLabel({ ...base, state: 'syncing' })).toBe('Syncing sample mail 120/400');
    expect(syncLabel({ ...base, state: 'syncing', progress: { done: 0, total: 0 } })).toBe('Syncing sample…');
    expect(syncLabel({ ...base, state: 'error', error: 'login failed' })).toBe('sample: login failed');
    expect(syncLabel({ ...base, state: 'idle' })).toBe('sample up to date');
  });
});
