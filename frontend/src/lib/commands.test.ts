import { describe, expect, it, vi } from 'vitest';
import { createDispatcher, parse } from './commands';

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
