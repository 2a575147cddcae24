import { describe, expect, it } from 'vitest';
import { formatBlocks, parseBlocks, parseTimes } from './settings';

describe('parseBlocks', () => {
  it.each([
    ['weekdays 09:30-11:30', [{ days: ['weekdays'], start: '09:30', end: '11:30' }]],
    ['mon,wed 9:00 - 10:00\n\n14:00–16:00', [
      { days: ['mon', 'wed'], start: '09:00', end: '10:00' },
      { days: ['daily'], start: '14:00', end: '16:00' },
    ]],
    ['', []],
  ])('reads %j', (text, want) => {
    const r = parseBlocks(text);
    expect(r.error).toBeUndefined();
    expect(r.blocks).toEqual(want);
  });
  it.each([
    ['someday 09:00-10:00', 'Line 1: "someday" is not a day'],
    ['weekdays 25:00-26:00', 'Line 1: "25:00" is not a time'],
    ['09:00-10:00\nnonsense', 'Line 2: write it like'],
  ])('names the bad line in %j', (text, want) => {
    expect(parseBlocks(text).error).toContain(want);
  });
  it('round-trips with formatBlocks', () => {
    const text = 'weekdays 09:30-11:30\nsat,sun 10:00-12:00';
    expect(formatBlocks(parseBlocks(text).blocks)).toBe(text);
  });
});

describe('parseTimes', () => {
  it('pads, dedupes and sorts', () => {
    expect(parseTimes('16:30, 9:00 12:30 9:00')).toEqual({ times: ['09:00', '12:30', '16:30'] });
  });
  it('refuses a bad time', () => {
    expect(parseTimes('09:00, noon').error).toBe('"noon" is not a time like 12:30');
  });
});
