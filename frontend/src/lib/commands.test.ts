import { describe, expect, it, vi } from 'vitest';
import { CATALOG, createDispatcher, filterPalette, fuzzyScore, parse, titleOf, type PaletteEntry } from './commands';

describe('parse', () => {
  it('splits name and args', () => {
    expect(parse('  view   later ')).toEqual({ name: 'view', args: ['later'], raw: 'view later' });
    expect(parse('done')).toEqual({ name: 'done', args: [], raw: 'done' });
  });
});

describe('createDispatcher', () => {
  it('sends triage verbs with the whole command to triage', () => {
    const triage = vi.fn();
    const view = vi.fn();
    const dispatch = createDispatcher({ triage, commands: { view } });
    expect(dispatch('done')).toBe(true);
    expect(dispatch('snooze  2h')).toBe(true);
    expect(dispatch('later tomorrow')).toBe(true);
    expect(dispatch('inbox')).toBe(true);
    expect(triage.mock.calls.map((c) => c[0])).toEqual(['done', 'snooze 2h', 'later tomorrow', 'inbox']);
    expect(view).not.toHaveBeenCalled();
  });

  it('calls named handlers with their args and reports unknown commands', () => {
    const view = vi.fn();
    const unknown = vi.fn();
    const dispatch = createDispatcher({ triage: vi.fn(), commands: { view } }, unknown);
    expect(dispatch('view done')).toBe(true);
    expect(view).toHaveBeenCalledWith(['done'], 'view done');
    expect(dispatch('frobnicate 3')).toBe(false);
    expect(dispatch('toString')).toBe(false);
    expect(unknown.mock.calls).toEqual([['frobnicate 3'], ['toString']]);
    expect(dispatch('')).toBe(false);
  });
});

describe('fuzzyScore', () => {
  it('matches letters in order, ignoring case', () => {
    expect(fuzzyScore('snz', 'Snooze until tomorrow morning')).not.toBeNull();
    expect(fuzzyScore('zns', 'Snooze')).toBeNull();
    expect(fuzzyScore('', 'anything')).toBe(0);
    expect(fuzzyScore('DONE', 'Mark done')).not.toBeNull();
  });

  it('prefers word starts and runs', () => {
    const a = fuzzyScore('tm', 'Snooze until tomorrow morning')!;
    const b = fuzzyScore('tm', 'Settings item')!;
    expect(a).toBeGreaterThan(b);
    expect(fuzzyScore('later', 'Go to Later')!).toBeGreaterThan(fuzzyScore('later', 'Release held items now') ?? -1);
  });
});

describe('filterPalette', () => {
  const entries: PaletteEntry[] = CATALOG.map((c) => ({ ...c, keys: [] }));

  it('returns everything in catalogue order for an empty query', () => {
    expect(filterPalette('', entries).map((e) => e.command)).toEqual(CATALOG.map((c) => c.command));
  });

  it('ranks the closest match first', () => {
    expect(filterPalette('go later', entries)[0].command).toBe('view later');
    expect(filterPalette('snooze tom', entries)[0].command).toBe('snooze tomorrow-morning');
    expect(filterPalette('mark done', entries)[0].command).toBe('done');
    expect(filterPalette('slack', entries)[0].command).toBe('filter slack');
  });

  it('matches the command string too', () => {
    expect(filterPalette('in-3-days', entries).map((e) => e.command).slice(0, 2).sort()).toEqual(['later in-3-days', 'snooze in-3-days']);
  });

  it('returns nothing when nothing matches', () => {
    expect(filterPalette('qqqq', entries)).toEqual([]);
  });
});

describe('titleOf', () => {
  it('names commands for people', () => {
    expect(titleOf('later tomorrow-morning')).toBe('Respond later, by tomorrow morning');
    expect(titleOf('made up')).toBe('made up');
  });
});
