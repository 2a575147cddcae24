// The / view in InboxModel, against a fake of the bound services.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SearchResults, Summary } from './api';
import { INDEXING_RETRY_MS, InboxModel, SEARCH_FIRST, SEARCH_LIMIT } from './inbox.svelte';

function summary(id: string, state: Summary['state'] = 'inbox'): Summary {
  return { id, account: 'a', source: 'email', from: 'F', title: id, snippet: '', received: '2026-12-01T10:00:00Z', threadCount: 1, unread: false, state } as Summary;
}

/** fake installs window.go.app with the calls the model makes, and records them. */
function fake(matches: number) {
  const calls: { name: string; args: unknown[] }[] = [];
  const inbox = Array.from({ length: 30 }, (_, i) => summary(`in${i}`));
  let fail: string | null = null;
  let indexing = false;
  let backlog = 0;
  const rec = (name: string, args: unknown[]) => calls.push({ name, args });
  (globalThis as { window?: unknown }).window = {
    go: {
      app: {
        Workspace: {},
        Inbox: {
          List: async (q: { offset: number; limit: number }) => {
            rec('Inbox.List', [q]);
            return { items: inbox.slice(q.offset, q.offset + q.limit), total: inbox.length, offset: q.offset };
          },
          Counts: async () => ({ inbox: inbox.length, later: 0, snoozed: 0, done: 0 }),
          Get: async (id: string) => ({ ...summary(id), body: '' }),
        },
        Search: {
          Run: async (query: string, limit: number): Promise<SearchResults> => {
            rec('Search.Run', [query, limit]);
            if (fail) throw fail;
            const n = Math.min(matches, limit);
            return { items: Array.from({ length: n }, (_, i) => summary(`m${i}`, i === 1 ? 'done' : 'inbox')), offset: 0, total: matches, tookMs: 3.2, indexing, backlog };
          },
          Page: async (query: string, offset: number, limit: number): Promise<SearchResults> => {
            rec('Search.Page', [query, offset, limit]);
            if (fail) throw fail;
            const n = Math.max(0, Math.min(matches - offset, limit));
            return { items: Array.from({ length: n }, (_, i) => summary(`m${offset + i}`)), offset, total: matches, tookMs: 1.1 };
          },
        },
        Triage: {
          Run: async (command: string, ids: string[]) => (rec('Triage.Run', [command, ids]), { changed: ids, undoDepth: 1, message: 'ok' }),
          RunThreads: async (command: string, ids: string[]) => (rec('Triage.RunThreads', [command, ids]), { changed: ids, undoDepth: 1, message: 'ok' }),
        },
      },
    },
  };
  return {
    calls,
    searches: () => calls.filter((c) => c.name === 'Search.Run').map((c) => c.args),
    refuse: (why: string | null) => (fail = why),
    indexing: (on: boolean) => (indexing = on),
    backlog: (n: number) => (backlog = n),
  };
}

/** settle lets the model's refresh, page fetches and coalesced follow-ups finish. */
async function settle(m: InboxModel) {
  for (let i = 0; i < 5; i++) {
    await m.refresh();
    await new Promise((r) => setTimeout(r, 0));
  }
}

describe('the search view', () => {
  let m: InboxModel;
  afterEach(() => delete (globalThis as { window?: unknown }).window);

  describe('with 750 matches', () => {
    let b: ReturnType<typeof fake>;
    beforeEach(async () => {
      b = fake(750);
      m = new InboxModel(100);
      await settle(m);
      m.select(4);
      await settle(m);
    });

    it('shows all the matches: one search per refresh for the first SEARCH_LIMIT, then a page at a time', async () => {
      m.openSearch();
      expect(m.searching).toBe(true);
      await settle(m);
      expect(m.total).toBe(0); // nothing typed yet
      expect(b.searches()).toEqual([]);
      m.setQuery('  quarterly report ');
      m.setRange({ start: 0, end: 40 });
      await settle(m);
      // The first page needs only the first SEARCH_FIRST matches; the list
      // is already as long as all the matches.
      expect(b.searches().every((a) => a[0] === 'quarterly report' && a[1] === SEARCH_FIRST)).toBe(true);
      expect(m.total).toBe(750);
      expect(m.row(0)?.id).toBe('m0');
      expect(m.searchInfo).toEqual({ total: 750, tookMs: 3.2, indexing: false });
      // Further down, it asks for all SEARCH_LIMIT.
      m.setRange({ start: 420, end: 460 });
      await settle(m);
      expect(b.searches().at(-1)).toEqual(['quarterly report', SEARCH_LIMIT]);
      expect(m.row(450)?.id).toBe('m450');
      // A refresh asks again for the pages on screen (4) and pinned (0):
      // one search answers both.
      const before = b.calls.length;
      await m.refresh();
      const during = b.calls.slice(before);
      expect(during.filter((c) => c.name === 'Search.Run').map((c) => c.args)).toEqual([['quarterly report', SEARCH_LIMIT]]);
      expect(during.map((c) => c.name)).not.toContain('Inbox.List');
      expect(m.row(0)?.id).toBe('m0');
      expect(m.row(450)?.id).toBe('m450');
      // Past SEARCH_LIMIT, the list asks for the page it needs.
      m.setRange({ start: 700, end: 740 });
      await settle(m);
      expect(b.calls.filter((c) => c.name === 'Search.Page').at(-1)?.args).toEqual(['quarterly report', 700, 100]);
      expect(m.row(749)?.id).toBe('m749');
      expect(m.row(700)?.id).toBe('m700');
      // A new query starts small again.
      m.setQuery('budget');
      await settle(m);
      expect(b.searches().at(-1)).toEqual(['budget', SEARCH_FIRST]);
    });

    it('narrows to the source filter and gives the view its selection back on close', async () => {
      m.setSource('slack');
      await settle(m);
      m.select(3);
      await settle(m);
      m.openSearch();
      m.setQuery('deploy');
      await settle(m);
      expect(b.searches().at(-1)).toEqual(['source:slack deploy', SEARCH_FIRST]);
      m.closeSearch();
      await settle(m);
      expect(m.searching).toBe(false);
      expect(m.selected.index).toBe(3);
    });

    it('keeps a triaged match in the results, moves on, and acts on the item, not its thread', async () => {
      m.openSearch();
      m.setQuery('report');
      await settle(m);
      m.select(0);
      await m.triage('done');
      await settle(m);
      expect(b.calls.filter((c) => c.name.startsWith('Triage.'))).toEqual([{ name: 'Triage.Run', args: ['done', ['m0']] }]);
      expect(m.selected.index).toBe(1);
      expect(m.row(0)?.id).toBe('m0');
      expect(m.total).toBe(750);
    });
  });

  it('shows why a query was refused, over an empty list', async () => {
    const b = fake(3);
    m = new InboxModel(100);
    await settle(m);
    m.openSearch();
    b.refuse('search: before: "someday" is not a date');
    m.setQuery('before:someday');
    await settle(m);
    expect(m.total).toBe(0);
    expect(m.searchError).toBe('search: before: "someday" is not a date');
    b.refuse(null);
    m.setQuery('before:2026-12-01');
    await settle(m);
    expect(m.searchError).toBeNull();
    expect(m.total).toBe(3);
  });

  it('asks again while the index catches up, and stops once it has', async () => {
    vi.useFakeTimers();
    try {
      const b = fake(3);
      const settleFake = async () => {
        for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(10);
      };
      m = new InboxModel(100);
      await settleFake();
      m.openSearch();
      b.indexing(true);
      m.setQuery('report');
      await settleFake();
      expect(m.searchInfo?.indexing).toBe(true);
      const first = b.searches().length;
      await vi.advanceTimersByTimeAsync(INDEXING_RETRY_MS);
      await settleFake();
      expect(b.searches().length).toBe(first + 1);
      // A few items still wait: the line no longer says so, but it asks again.
      b.indexing(false);
      b.backlog(3);
      await vi.advanceTimersByTimeAsync(INDEXING_RETRY_MS);
      await settleFake();
      expect(b.searches().length).toBe(first + 2);
      expect(m.searchInfo?.indexing).toBe(false);
      b.backlog(0);
      await vi.advanceTimersByTimeAsync(INDEXING_RETRY_MS);
      await settleFake();
      expect(b.searches().length).toBe(first + 3);
      // Caught up: no more asking.
      await vi.advanceTimersByTimeAsync(3 * INDEXING_RETRY_MS);
      expect(b.searches().length).toBe(first + 3);
      // Nor after the search is closed while catching up.
      b.indexing(true);
      m.setQuery('budget');
      await settleFake();
      const open = b.searches().length;
      m.closeSearch();
      await vi.advanceTimersByTimeAsync(3 * INDEXING_RETRY_MS);
      expect(b.searches().length).toBe(open);
    } finally {
      vi.useRealTimers();
    }
  });
});
