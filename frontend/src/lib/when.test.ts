import { describe, expect, it } from 'vitest';
import { atLabel, span, timeLeft, wakeLabel } from './when';

// Local times, so the cases hold in any time zone the tests run in.
const now = new Date(2026, 5, 15, 10, 0); // Mon 15 Jun 2026, 10:00
const at = (d: number, h: number, m = 0) => new Date(2026, 5, d, h, m).toISOString();

describe('span', () => {
  it.each([
    [30_000, '1 min'],
    [45 * 60_000, '45 min'],
    [3 * 3_600_000 + 59 * 60_000, '3 h'],
    [47 * 3_600_000, '47 h'],
    [49 * 3_600_000, '2 d'],
  ])('%i ms → %s', (ms, want) => {
    expect(span(ms)).toBe(want);
  });
});

describe('timeLeft', () => {
  it.each<[string | undefined, string, boolean]>([
    [at(15, 14), '4 h left', false],
    [at(15, 10, 40), '40 min left', false],
    [at(16, 9), '23 h left', false],
    [at(18, 9), '2 d left', false],
    [new Date(now.getTime() + 20_000).toISOString(), 'due now', false],
    [at(15, 10), 'overdue 1 min', true],
    [at(15, 8), 'overdue 2 h', true],
    [at(12, 9), 'overdue 3 d', true],
    [undefined, '', false],
    ['0001-01-01T00:00:00Z', '', false],
    ['nonsense', '', false],
  ])('%s → %s', (t, text, overdue) => {
    expect(timeLeft(t, now)).toEqual({ text, overdue });
  });
});

describe('atLabel and wakeLabel', () => {
  it.each<[string, string]>([
    [at(15, 14), '14:00'],
    [at(16, 9), 'tomorrow 09:00'],
    [at(19, 9), 'Fri 09:00'],
    [at(30, 9), '30 Jun 09:00'],
    [new Date(2027, 0, 5, 9).toISOString(), '5 Jan 2027 09:00'],
  ])('%s → %s', (t, want) => {
    expect(atLabel(t, now)).toBe(want);
    expect(wakeLabel(t, now)).toBe(`wakes ${want}`);
  });

  it('says waking once the time has come', () => {
    expect(wakeLabel(at(15, 9), now)).toBe('waking');
    expect(wakeLabel(undefined, now)).toBe('');
  });
});
