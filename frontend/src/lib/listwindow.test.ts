import { describe, expect, it } from 'vitest';
import { ListWindow, reconcile, type PageResult } from './listwindow';

interface Row {
  id: string;
}

/** A fake backend list whose rows can change between requests. */
function backend(n: number) {
  let rows: Row[] = Array.from({ length: n }, (_, i) => ({ id: `r${i}` }));
  const calls: [number, number][] = [];
  let gate: Promise<void> | null = null;
  return {
    calls,
    get rows() {
      return rows;
    },
    set rows(r: Row[]) {
      rows = r;
    },
    hold() {
      let open!: () => void;
      gate = new Promise<void>((r) => (open = r));
      return () => {
        gate = null;
        open();
      };
    },
    fetch: async (offset: number, limit: number): Promise<PageResult<Row>> => {
      calls.push([offset, limit]);
      const snapshot = rows;
      if (gate) await gate;
      return { items: snapshot.slice(offset, offset + limit), total: snapshot.length, offset };
    },
  };
}

describe('ListWindow', () => {
  it('fetches only the pages on screen, by offset, never the whole list', async () => {
    const b = backend(10_000);
    const w = new ListWindow(b.fetch, { pageSize: 100 });
    await w.setRange({ start: 0, end: 0 });
    expect(w.total).toBe(10_000);
    expect(b.calls).toEqual([[0, 100]]);

    await w.setRange({ start: 0, end: 30 });
    expect(b.calls).toHaveLength(1);
    expect(w.at(29)).toEqual({ id: 'r29' });
    expect(w.at(100)).toBeUndefined();

    await w.setRange({ start: 5480, end: 5530 });
    expect(b.calls.slice(1)).toEqual([
      [5400, 100],
      [5500, 100],
    ]);
    expect(w.at(5525)).toEqual({ id: 'r5525' });
    expect(Math.max(...b.calls.map((c) => c[1]))).toBeLessThanOrEqual(100);
  });

  it('keeps at most maxPages pages but never evicts the visible ones', async () => {
    const b = backend(5_000);
    const w = new ListWindow(b.fetch, { pageSize: 100, maxPages: 3 });
    for (let p = 0; p < 10; p++) await w.setRange({ start: p * 100, end: p * 100 + 20 });
    expect(w.cachedPages()).toEqual([7, 8, 9]);
    await w.setRange({ start: 1950, end: 2250 }); // four pages on screen
    expect(w.cachedPages()).toEqual([19, 20, 21, 22]);
  });

  it('shares one request when the same page is asked for twice', async () => {
    const b = backend(300);
    const w = new ListWindow(b.fetch, { pageSize: 100 });
    await Promise.all([w.setRange({ start: 0, end: 10 }), w.setRange({ start: 0, end: 20 }), w.pin([5])]);
    expect(b.calls).toEqual([[0, 100]]);
  });

  it('refresh refetches only the visible and pinned pages and keeps others as stale', async () => {
    const b = backend(1_000);
    const w = new ListWindow(b.fetch, { pageSize: 100 });
    await w.setRange({ start: 300, end: 320 });
    await w.setRange({ start: 0, end: 20 });
    await w.pin([550]);
    b.calls.length = 0;
    b.rows = [{ id: 'new' }, ...b.rows];
    await w.refresh();
    expect(b.calls.map((c) => c[0]).sort((x, y) => x - y)).toEqual([0, 500]);
    expect(w.total).toBe(1_001);
    expect(w.at(0)).toEqual({ id: 'new' });
    // Page 3 still shows its old rows until it comes back into view.
    expect(w.at(300)).toEqual({ id: 'r300' });
    b.calls.length = 0;
    await w.setRange({ start: 300, end: 320 });
    expect(b.calls).toEqual([[300, 100]]);
    expect(w.at(300)).toEqual({ id: 'r299' });
  });

  it('drops responses that a newer refresh overtook', async () => {
    const b = backend(50);
    const w = new ListWindow(b.fetch, { pageSize: 100 });
    await w.setRange({ start: 0, end: 20 });
    const open = b.hold();
    const slow = w.refresh(); // will answer with 50 rows
    b.rows = b.rows.slice(10);
    open();
    await Promise.all([slow, w.refresh()]);
    expect(w.total).toBe(40);
    expect(w.at(0)).toEqual({ id: 'r10' });
  });

  it('reset forgets the old list and ignores its late answers', async () => {
    const b = backend(50);
    const w = new ListWindow(b.fetch, { pageSize: 100 });
    const open = b.hold();
    const late = w.setRange({ start: 0, end: 20 });
    w.reset();
    expect(w.loaded).toBe(false);
    open();
    await late;
    expect(w.loaded).toBe(false);
    expect(w.total).toBe(0);
  });

  it('learns an empty list and a list shrinking to nothing', async () => {
    const b = backend(120);
    const w = new ListWindow(b.fetch, { pageSize: 100 });
    await w.setRange({ start: 90, end: 120 });
    b.rows = [];
    await w.refresh();
    expect(w.total).toBe(0);
    expect(w.loaded).toBe(true);
    expect(w.cachedPages()).toEqual([0]);
    await w.setRange({ start: 0, end: 0 });
    b.rows = [{ id: 'x' }];
    await w.refresh();
    expect(w.total).toBe(1);
  });

  it('reports a fetch error and clears it on the next success', async () => {
    let fail = true;
    const b = backend(10);
    const w = new ListWindow<Row>((o, l) => (fail ? Promise.reject('database closed') : b.fetch(o, l)));
    await w.setRange({ start: 0, end: 10 });
    expect(w.error).toBe('database closed');
    fail = false;
    await w.refresh();
    expect(w.error).toBeNull();
    expect(w.total).toBe(10);
  });

  it('removeLocal shifts rows up across contiguous pages and drops pages past a gap', async () => {
    const b = backend(1_000);
    const w = new ListWindow(b.fetch, { pageSize: 100, maxPages: 10 });
    await w.setRange({ start: 50, end: 150 }); // pages 0 and 1
    await w.setRange({ start: 500, end: 520 }); // page 5
    await w.setRange({ start: 50, end: 150 });
    expect(w.removeLocal(['r60', 'r61'])).toBe(2);
    expect(w.total).toBe(998);
    expect(w.at(59)).toEqual({ id: 'r59' });
    expect(w.at(60)).toEqual({ id: 'r62' });
    expect(w.at(99)).toEqual({ id: 'r101' });
    expect(w.at(197)).toEqual({ id: 'r199' });
    // The last two rows of page 1 belong to page 2, which is not in memory.
    expect(w.at(198)).toBeUndefined();
    expect(w.cachedPages()).toEqual([0, 1]);
    // Unknown ids change nothing.
    expect(w.removeLocal(['nope'])).toBe(0);
    expect(w.total).toBe(998);
  });

  it('drops a page asked for before removeLocal, so the removed row does not come back', async () => {
    const b = backend(300);
    const w = new ListWindow(b.fetch, { pageSize: 100 });
    await w.setRange({ start: 0, end: 100 });
    const open = b.hold();
    const stale = w.refresh(); // asked while r0 is still in the backend's list
    w.removeLocal(['r0']);
    open();
    await stale;
    expect(w.at(0)).toEqual({ id: 'r1' });
    expect(w.indexOf('r0')).toBe(-1);
    // The next refresh, after the backend has the change, is taken.
    b.rows = b.rows.filter((r) => r.id !== 'r0');
    await w.refresh();
    expect(w.at(0)).toEqual({ id: 'r1' });
    expect(w.at(99)).toEqual({ id: 'r100' });
    expect(w.total).toBe(299);
  });

  it('does not ask again for a page removeLocal shortened while a refresh was on its way', async () => {
    const b = backend(300);
    const w = new ListWindow(b.fetch, { pageSize: 100 });
    await w.setRange({ start: 0, end: 100 });
    const open = b.hold();
    const stale = w.refresh(); // items changed: a refresh is on its way
    w.removeLocal(['r0']); // e, which the backend has not taken yet
    open();
    await stale;
    b.calls.length = 0;
    // The triage pins the selection again: asking now would put r0 back.
    await w.pin([0]);
    await w.setRange({ start: 0, end: 100 });
    expect(b.calls).toEqual([]);
    expect(w.indexOf('r0')).toBe(-1);
    expect(w.at(0)).toEqual({ id: 'r1' });
    // The refresh after the backend's answer takes the page again.
    b.rows = b.rows.filter((r) => r.id !== 'r0');
    await w.refresh();
    expect(b.calls).toEqual([[0, 100]]);
    expect(w.at(99)).toEqual({ id: 'r100' });
  });

  it('refresh with pins asks for each page once, the pinned one included', async () => {
    const b = backend(1_000);
    const w = new ListWindow(b.fetch, { pageSize: 100 });
    await w.refresh([250]);
    expect(b.calls).toEqual([[0, 100], [200, 100]]);
    expect(w.at(250)).toEqual({ id: 'r250' });
  });

  it('keeps a page left short by removeLocal until the next refresh, so the removed row does not come back', async () => {
    const b = backend(300);
    const w = new ListWindow(b.fetch, { pageSize: 100 });
    await w.setRange({ start: 0, end: 100 });
    w.removeLocal(['r3']);
    b.calls.length = 0;
    // The backend has not taken the triage yet: asking now would put r3 back.
    await w.setRange({ start: 0, end: 100 });
    await w.pin([50]);
    expect(b.calls).toEqual([]);
    expect(w.at(3)).toEqual({ id: 'r4' });
    expect(w.indexOf('r3')).toBe(-1);
    expect(w.at(99)).toBeUndefined();
    // The refresh that follows the backend's answer fills the page.
    b.rows = b.rows.filter((r) => r.id !== 'r3');
    await w.refresh();
    expect(b.calls).toEqual([[0, 100]]);
    expect(w.at(99)).toEqual({ id: 'r100' });
    expect(w.total).toBe(299);
  });
});

describe('reconcile', () => {
  function list(ids: string[]) {
    return {
      total: ids.length,
      indexOf: (id: string) => ids.indexOf(id),
      at: (i: number) => (ids[i] ? { id: ids[i] } : undefined),
    };
  }

  it('follows the selected id when it moved', () => {
    expect(reconcile({ id: 'c', index: 2 }, list(['n', 'a', 'b', 'c']))).toEqual({ id: 'c', index: 3 });
  });

  it('selects the row now at the same index when the item vanished (done → next)', () => {
    expect(reconcile({ id: 'b', index: 1 }, list(['a', 'c', 'd']))).toEqual({ id: 'c', index: 1 });
  });

  it('clamps to the last row, and empties on an empty list', () => {
    expect(reconcile({ id: 'd', index: 3 }, list(['a', 'b', 'c']))).toEqual({ id: 'c', index: 2 });
    expect(reconcile({ id: 'a', index: 0 }, list([]))).toEqual({ id: null, index: 0 });
  });

  it('selects by index when nothing was selected', () => {
    expect(reconcile({ id: null, index: 0 }, list(['a', 'b']))).toEqual({ id: 'a', index: 0 });
  });
});
