// A small LRU and the arithmetic of a virtual list: which rows are on screen
// and which pages hold them. Pure TypeScript, tested in pagecache.test.ts.

/** LRU is a least-recently-used map holding at most capacity entries. */
export class LRU<K, V> {
  private map = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (capacity < 1) throw new Error('LRU capacity must be at least 1');
  }

  get size(): number {
    return this.map.size;
  }

  /** get returns the value and marks it most recently used. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  /** peek returns the value without changing its recency. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /**
   * set stores a value as most recently used and evicts the least recently
   * used entries that exceed capacity, except those in keep (the pages on
   * screen must survive however small the cache is).
   */
  set(key: K, value: V, keep?: ReadonlySet<K>): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size <= this.capacity) return;
    for (const k of this.map.keys()) {
      if (this.map.size <= this.capacity) break;
      if (k === key || keep?.has(k)) continue;
      this.map.delete(k);
    }
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  /** keys lists keys from least to most recently used. */
  keys(): K[] {
    return [...this.map.keys()];
  }
}

/** A half-open range of row indices [start, end). */
export interface Range {
  start: number;
  end: number;
}

/**
 * visibleRange is the rows a viewport shows, widened by overscan rows on both
 * sides and clamped to [0, total).
 */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 8,
): Range {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewportHeight)) / rowHeight);
  return {
    start: Math.max(0, Math.min(total, first - overscan)),
    end: Math.max(0, Math.min(total, last + overscan)),
  };
}

/** pagesFor lists the page numbers that hold rows [range.start, range.end). */
export function pagesFor(range: Range, pageSize: number): number[] {
  if (range.end <= range.start) return [];
  const first = Math.floor(range.start / pageSize);
  const last = Math.floor((range.end - 1) / pageSize);
  const pages: number[] = [];
  for (let p = first; p <= last; p++) pages.push(p);
  return pages;
}

/**
 * scrollToReveal returns the scrollTop that brings row index fully into view
 * with the least movement, keeping margin rows of context where possible.
 */
export function scrollToReveal(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  margin = 1,
): number {
  const top = (index - margin) * rowHeight;
  const bottom = (index + 1 + margin) * rowHeight;
  if (viewportHeight < rowHeight * (2 * margin + 1)) return Math.max(0, index * rowHeight);
  if (top < scrollTop) return Math.max(0, top);
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight;
  return scrollTop;
}
