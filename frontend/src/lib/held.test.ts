import { describe, expect, it } from 'vitest';
import type { FocusStatus } from './api';
import { heldSummary } from './held';

const now = new Date(2026, 10, 22, 11, 0);
const at = (h: number, m: number) => new Date(2026, 10, 22, h, m).toISOString();
const keys = (c: string) => ({ release: 'R', 'focus toggle': 'f' })[c];
const status = (s: Partial<FocusStatus>): FocusStatus => ({ focusing: false, held: 0, line: '', ...s });

describe('heldSummary', () => {
  it('counts held items and says when they arrive, nothing else', () => {
    const s = heldSummary(status({ focusing: true, held: 12, until: at(11, 50), nextRelease: at(12, 30) }), now, keys);
    expect(s).toEqual({
      count: 12,
      title: 'items held',
      detail: 'They arrive together at 12:30.',
      keys: [{ key: 'R', label: 'release now' }, { key: 'f', label: 'stop focus' }],
    });
  });
  it('uses the singular for one item and the end of focus when no batch time is set', () => {
    const s = heldSummary(status({ focusing: true, held: 1, until: at(11, 50) }), now, keys);
    expect(s.title).toBe('item held');
    expect(s.detail).toBe('They arrive together when focus ends at 11:50.');
  });
  it('says what will happen while focusing with nothing held', () => {
    const s = heldSummary(status({ focusing: true, until: at(11, 50), nextRelease: at(12, 30) }), now, keys);
    expect(s.count).toBe(0);
    expect(s.detail).toBe('What arrives while you focus waits here, unseen, until 12:30.');
    expect(s.keys).toEqual([{ key: 'f', label: 'stop focus' }]);
  });
  it('explains the view outside focus', () => {
    const s = heldSummary(status({}), now, keys);
    expect(s.title).toBe('Nothing held.');
    expect(s.keys).toEqual([{ key: 'f', label: 'start focus' }]);
  });
  it('items held by a batched policy outside focus still release with R', () => {
    const s = heldSummary(status({ held: 3, nextRelease: at(14, 0) }), now, keys);
    expect(s.detail).toBe('They arrive together at 14:00.');
    expect(s.keys).toEqual([{ key: 'R', label: 'release now' }]);
  });
  it('leaves out unbound keys and copes without a status', () => {
    expect(heldSummary(status({ held: 2 }), now, () => undefined).keys).toEqual([]);
    expect(heldSummary(null, now, keys).count).toBe(0);
  });
});
