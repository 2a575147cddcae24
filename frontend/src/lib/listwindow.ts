// ListWindow is the data behind the virtual list. It knows the list's total,
// fetches only the pages that cover the rows on screen (plus the selection),
// keeps a few pages in an LRU, and refetches what is visible when the backend
// says items changed. It never asks for, or holds, the whole inbox.
//
// Pure TypeScript with an injected fetch, so it is tested without a backend.

import { LRU, pagesFor, type Range } from './pagecache';

export interface PageResult<T> {
  items: T[];
  total: number;
  offset: number;
}

export type Fetch<T> = (offset: number, limit: number) => Promise<PageResult<T>>;

interface Entry<T> {
  rows: T[];
  /** The refresh generation the rows were fetched in; older is stale. */
  gen: number;
  /**
   * Set when removeLocal has shortened the rows: they stand as they are (in
   * the generation current then) until the next refresh. Asked for again
   * before that, the backend may not have the change yet, and its answer
   * would bring the removed rows back.
   */
  local?: boolean;
}

export interface ListWindowOptions {
  /** Rows per request. */
  pageSize?: number;
  /** Pages kept in memory (the visible ones are always kept). */
  maxPages?: number;
  /** Called after anything a view shows has changed. */
  onChange?: () => void;
}

export class ListWindow<T extends { id: string }> {
  /** Rows in the whole list, as the backend last said. */
  total = 0;
  /** True once a page of the current list has arrived. */
  loaded = false;
  /** The last fetch error, cleared by the next success. */
  error: string | null = null;

  readonly pageSize: number;
  private cache: LRU<number, Entry<T>>;
  private gen = 0;
  private epoch = 0;
  /** Counts removeLocal calls: a page asked for before one may still hold the removed rows. */
  private edits = 0;
  private inflight = new Map<number, { gen: number; promise: Promise<void> }>();
  private range: Range = { start: 0, end: 0 };
  private pinned: number[] = [];
  private onChange: () => void;

  constructor(
    private fetch: Fetch<T>,
    opts: ListWindowOptions = {},
  ) {
    this.pageSize = opts.pageSize ?? 100;
    this.cache = new LRU(Math.max(1, opts.maxPages ?? 6));
    this.onChange = opts.onChange ?? (() => {});
  }

  /** at returns row i if its page is in memory. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.total) return undefined;
    return this.cache.peek(Math.floor(i / this.pageSize))?.rows[i % this.pageSize];
  }

  /** indexOf finds id among the rows in memory, or returns -1. */
  indexOf(id: string): number {
    for (const p of this.cache.keys()) {
      const e = this.cache.peek(p);
      if (!e || e.gen !== this.gen) continue;
      const i = e.rows.findIndex((r) => r.id === id);
      if (i >= 0) return p * this.pageSize + i;
    }
    return -1;
  }

  /** cachedPages lists the page numbers in memory, for tests and diagnostics. */
  cachedPages(): number[] {
    return this.cache.keys().sort((a, b) => a - b);
  }

  /** setRange tells the window which rows are on screen and loads what is missing. */
  setRange(range: Range): Promise<void> {
    this.range = { start: Math.max(0, range.start), end: Math.max(0, range.end) };
    return this.load();
  }

  /** pin keeps the pages holding these row indices loaded and fresh (the selection). */
  pin(indices: number[]): Promise<void> {
    this.pinned = indices.filter((i) => i >= 0);
    return this.load();
  }

  /**
   * refresh marks every page stale and refetches those on screen or pinned
   * (pinned replaces the pins first, as pin does).
   * Pages off screen stay in memory as stale rows and refetch when they come
   * back into view. Responses to requests made before a newer refresh are dropped.
   */
  refresh(pinned?: number[]): Promise<void> {
    // New pins are set before the pages are asked for, not loaded first on
    // their own: an answer asked for before the refresh would be dropped.
    if (pinned) this.pinned = pinned.filter((i) => i >= 0);
    this.gen++;
    return this.load();
  }

  /** reset forgets everything: a different list (view) is about to be shown. */
  reset(): void {
    this.epoch++;
    this.gen++;
    this.cache.clear();
    this.inflight.clear();
    this.total = 0;
    this.loaded = false;
    this.error = null;
    this.range = { start: 0, end: 0 };
    this.pinned = [];
    this.onChange();
  }

  /**
   * removeLocal takes rows out of memory at once, before the backend confirms,
   * so a triage shows on the next frame. Rows after the first removed one
   * shift up within the contiguous run of cached pages; pages beyond a gap
   * can no longer be placed and are dropped. Returns how many rows went.
   */
  removeLocal(ids: Iterable<string>): number {
    const gone = new Set(ids);
    const pages = this.cachedPages();
    let first = -1;
    for (const p of pages) {
      if (this.cache.peek(p)!.rows.some((r) => gone.has(r.id))) {
        first = p;
        break;
      }
    }
    if (first < 0) return 0;

    const run: number[] = [];
    for (let p = first; this.cache.has(p); p++) run.push(p);
    const rows = run.flatMap((p) => this.cache.peek(p)!.rows);
    const kept = rows.filter((r) => !gone.has(r.id));
    const removed = rows.length - kept.length;

    for (const p of pages) if (p >= first) this.cache.delete(p);
    const keep = new Set(run);
    // The edited pages count as current even when a refresh is on its way
    // (its answers, asked before this edit, are dropped): asked for again
    // before the backend has the change, they would bring the rows back.
    // The refresh that follows the triage's answer takes them again.
    run.forEach((p, k) => {
      const slice = kept.slice(k * this.pageSize, (k + 1) * this.pageSize);
      if (slice.length > 0 || k === 0) this.cache.set(p, { rows: slice, gen: this.gen, local: true }, keep);
    });
    this.total = Math.max(0, this.total - removed);
    this.edits++;
    this.onChange();
    return removed;
  }

  /** idle resolves once no request is in flight. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) {
      await Promise.all([...this.inflight.values()].map((f) => f.promise));
    }
  }

  private wanted(): number[] {
    const set = new Set(pagesFor(this.range, this.pageSize));
    for (const i of this.pinned) set.add(Math.floor(i / this.pageSize));
    // Until the first page answers, the total is unknown: ask for page 0.
    if (set.size === 0 || !this.loaded) set.add(0);
    return [...set]
      .filter((p) => p === 0 || !this.loaded || p * this.pageSize < this.total)
      .sort((a, b) => a - b);
  }

  private complete(p: number, e: Entry<T>): boolean {
    const expected = Math.min(this.pageSize, Math.max(0, this.total - p * this.pageSize));
    return e.gen === this.gen && (e.local === true || e.rows.length >= expected);
  }

  private load(): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const p of this.wanted()) {
      const e = this.cache.get(p);
      if (e && this.complete(p, e)) continue;
      jobs.push(this.fetchPage(p));
    }
    return Promise.all(jobs).then(() => {});
  }

  private fetchPage(p: number): Promise<void> {
    const running = this.inflight.get(p);
    if (running && running.gen === this.gen) return running.promise;

    const gen = this.gen;
    const epoch = this.epoch;
    const edits = this.edits;
    const promise = this.fetch(p * this.pageSize, this.pageSize)
      .then((res) => {
        if (epoch !== this.epoch || gen !== this.gen) return;
        // Asked before a local removal, the answer may still hold the rows
        // just removed: putting them back would undo the removal on screen
        // (and shift the rows under the selection) until the caller's
        // refresh, which asks again after the backend has the change.
        if (edits !== this.edits) return;
        this.error = null;
        this.total = Math.max(0, res.total);
        this.loaded = true;
        const keep = new Set(this.wanted());
        this.cache.set(p, { rows: res.items.slice(0, this.pageSize), gen }, keep);
        for (const k of this.cache.keys()) {
          if (k > 0 && k * this.pageSize >= this.total) this.cache.delete(k);
        }
        this.onChange();
      })
      .catch((err: unknown) => {
        if (epoch !== this.epoch || gen !== this.gen) return;
        this.error = err instanceof Error ? err.message : String(err);
        this.onChange();
      })
      .finally(() => {
        if (this.inflight.get(p)?.promise === promise) this.inflight.delete(p);
      });
    this.inflight.set(p, { gen, promise });
    return promise;
  }
}

/** Selection is the selected row by id, with its index as the fallback. */
export interface Selection {
  id: string | null;
  index: number;
}

/**
 * reconcile keeps a selection stable across a change of the list: the same id
 * wherever it moved to; if it vanished, the row now at the same index (so
 * marking an item done moves to the next one); clamped to the list's end.
 */
export function reconcile<T extends { id: string }>(
  sel: Selection,
  list: { total: number; indexOf(id: string): number; at(i: number): T | undefined },
): Selection {
  if (list.total <= 0) return { id: null, index: 0 };
  if (sel.id) {
    const i = list.indexOf(sel.id);
    if (i >= 0) return { id: sel.id, index: i };
  }
  const index = Math.min(Math.max(0, sel.index), list.total - 1);
  return { id: list.at(index)?.id ?? null, index };
}
