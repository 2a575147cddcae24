import { describe, expect, it } from 'vitest';
import { LRU, pagesFor, scrollToReveal, visibleRange } from './pagecache';

describe('LRU', () => {
  it('evicts the least recently used entry', () => {
    const c = new LRU<number, string>(2);
    c.set(1, 'a');
    c.set(2, 'b');
    expect(c.get(1)).toBe('a'); // 1 is now newest
    c.set(3, 'c');
    expect(c.keys()).toEqual([1, 3]);
    expect(c.has(2)).toBe(false);
  });

  it('peek does not refresh recency', () => {
    const c = new LRU<number, string>(2);
    c.set(1, 'a');
    c.set(2, 'b');
    expect(c.peek(1)).toBe('a');
    c.set(3, 'c');
    expect(c.keys()).toEqual([2, 3]);
  });

  it('never evicts kept keys, even over capacity', () => {
    const c = new LRU<number, string>(2);
    c.set(1, 'a');
    c.set(2, 'b');
    c.set(3, 'c', new Set([1, 2]));
    expect(c.keys()).toEqual([1, 2, 3]);
    c.set(4, 'd', new Set([4]));
    expect(c.size).toBe(2);
    expect(c.keys()).toEqual([3, 4]);
  });

  it('replaces a value in place and rejects a zero capacity', () => {
    const c = new LRU<string, number>(3);
    c.set('x', 1);
    c.set('x', 2);
    expect(c.size).toBe(1);
    expect(c.get('x')).toBe(2);
    expect(() => new LRU(0)).toThrow();
  });
});

describe('visibleRange', () => {
  it('covers the viewport plus overscan, clamped', () => {
    expect(visibleRange(0, 520, 52, 1000, 5)).toEqual({ start: 0, end: 15 });
    expect(visibleRange(52 * 100, 520, 52, 1000, 5)).toEqual({ start: 95, end: 115 });
    expect(visibleRange(52 * 995, 520, 52, 1000, 5)).toEqual({ start: 990, end: 1000 });
    // A half-visible row at the bottom counts.
    expect(visibleRange(26, 52, 52, 1000, 0)).toEqual({ start: 0, end: 2 });
  });

  it('is empty for an empty list', () => {
    expect(visibleRange(0, 500, 52, 0)).toEqual({ start: 0, end: 0 });
  });
});

describe('pagesFor', () => {
  it('lists the pages a range touches', () => {
    expect(pagesFor({ start: 0, end: 30 }, 100)).toEqual([0]);
    expect(pagesFor({ start: 90, end: 110 }, 100)).toEqual([0, 1]);
    expect(pagesFor({ start: 100, end: 200 }, 100)).toEqual([1]);
    expect(pagesFor({ start: 5, end: 5 }, 100)).toEqual([]);
  });
});

describe('scrollToReveal', () => {
  const H = 52;
  it('leaves a visible row alone', () => {
    expect(scrollToReveal(3, 0, 520, H)).toBe(0);
  });
  it('scrolls down just enough, keeping one row of context', () => {
    // Row 10 plus one below must end by the viewport bottom.
    expect(scrollToReveal(10, 0, 520, H)).toBe(12 * H - 520);
  });
  it('scrolls up just enough', () => {
    expect(scrollToReveal(5, 20 * H, 520, H)).toBe(4 * H);
    expect(scrollToReveal(0, 20 * H, 520, H)).toBe(0);
  });
});
