import { describe, expect, it } from 'vitest';
import { BINDINGS } from './keymap';
import { cleanDate, commandFor, pickerRows, rowIndex, rowName } from './presets';

describe('pickerRows', () => {
  it('offers the presets, Later with its norm first', () => {
    expect(pickerRows('later').map((r) => `${r.key} ${r.spec}`)).toEqual([
      'l norm',
      '1 next-batch',
      '2 this-afternoon',
      '3 tomorrow-morning',
      '4 in-3-days',
      '5 date',
    ]);
    expect(pickerRows('snooze').map((r) => r.spec)).toEqual(['next-batch', 'this-afternoon', 'tomorrow-morning', 'in-3-days', 'date']);
  });

  it('uses the keys the keymap binds in the picker', () => {
    for (const r of pickerRows('later')) {
      const b = BINDINGS.find((x) => x.section === 'picker' && x.keys === r.key);
      expect(b?.command, r.key).toBe(r.spec === 'norm' ? 'pick norm' : `pick ${r.key}`);
    }
  });
});

describe('rowIndex', () => {
  it.each<[Parameters<typeof rowIndex>[0], string | undefined, number]>([
    ['later', 'norm', 0],
    ['later', '1', 1],
    ['later', '5', 5],
    ['snooze', '1', 0],
    ['snooze', '5', 4],
    ['snooze', 'norm', -1],
    ['later', '9', -1],
    ['later', undefined, -1],
  ])('%s pick %s → %i', (kind, arg, want) => {
    expect(rowIndex(kind, arg)).toBe(want);
  });
});

describe('commandFor', () => {
  it.each<[Parameters<typeof commandFor>[0], string, string, string | null]>([
    ['later', 'norm', '', 'later'],
    ['snooze', 'norm', '', null],
    ['later', 'next-batch', '', 'later next-batch'],
    ['snooze', 'tomorrow-morning', '', 'snooze tomorrow-morning'],
    ['snooze', 'date', '  fri   15:00 ', 'snooze fri 15:00'],
    ['later', 'date', '2026-03-14', 'later 2026-03-14'],
    ['later', 'date', '   ', null],
  ])('%s %s %j → %j', (kind, spec, date, want) => {
    expect(commandFor(kind, spec, date)).toBe(want);
  });

  it('cleans typed dates', () => {
    expect(cleanDate('\t2026-03-14 \n 09:00 ')).toBe('2026-03-14 09:00');
  });
});

describe('rowName', () => {
  const afternoon = pickerRows('snooze')[1];
  it('keeps the usual name unless the backend renames the choice', () => {
    expect(rowName(afternoon)).toBe('This afternoon');
    expect(rowName(afternoon, { name: '' })).toBe('This afternoon');
    expect(rowName(afternoon, { name: 'Later today' })).toBe('Later today');
  });
});
