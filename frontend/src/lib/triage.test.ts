// Triage and undo in InboxModel, against a fake of the bound services whose
// answers come back late.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Summary } from './api';
import { InboxModel, SEND_WAIT_MAX_MS } from './inbox.svelte';

function summary(id: string): Summary {
  return { id, account: 'a', source: 'email', from: 'F', title: id, snippet: '', received: '2026-12-01T10:00:00Z', threadCount: 1, unread: false, state: 'inbox' } as Summary;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** fake is a backend whose triage takes slowMs to answer; it logs when each call starts and ends. */
function fake(slowMs: number) {
  let inbox = Array.from({ length: 10 }, (_, i) => summary(`in${i}`));
  const done: Summary[][] = [];
  const log: string[] = [];
  (globalThis as { window?: unknown }).window = {
    go: {
      app: {
        Workspace: {},
        Inbox: {
          List: async (q: { offset: number; limit: number }) => ({ items: inbox.slice(q.offset, q.offset + q.limit), total: inbox.length, offset: q.offset }),
          Counts: async () => ({ inbox: inbox.length, later: 0, snoozed: 0, done: done.flat().length }),
          Get: async (id: string) => ({ ...summary(id), body: '' }),
        },
        Triage: {
          RunThreads: async (command: string, ids: string[]) => {
            log.push(`run ${command} ${ids.join(',')}`);
            await sleep(slowMs);
            done.push(inbox.filter((x) => ids.includes(x.id)));
            inbox = inbox.filter((x) => !ids.includes(x.id));
            log.push(`ran ${command} ${ids.join(',')}`);
            return { changed: ids, undoDepth: done.length, message: 'ok' };
          },
          Undo: async () => {
            log.push('undo');
            const back = done.pop();
            if (!back) throw 'nothing to undo';
            inbox = [...back, ...inbox];
            return { changed: back.map((x) => x.id), undoDepth: done.length, message: 'Undone.' };
          },
        },
      },
    },
  };
  return { log, ids: () => inbox.map((x) => x.id) };
}

async function settle(m: InboxModel) {
  for (let i = 0; i < 5; i++) {
    await m.refresh();
    await sleep(0);
  }
}

describe('triage calls', () => {
  afterEach(() => delete (globalThis as { window?: unknown }).window);

  it('sends e e u in the order pressed, each after the one before has answered', async () => {
    const b = fake(20);
    const m = new InboxModel(100);
    await settle(m);
    // Three keys in one go, as fast as a user can press them.
    const first = m.triage('done');
    const second = m.triage('done');
    const undo = m.undo();
    // The rows leave at once, before any answer.
    expect(m.row(0)?.id).toBe('in2');
    await Promise.all([first, second, undo]);
    await settle(m);
    expect(b.log).toEqual(['run done in0', 'ran done in0', 'run done in1', 'ran done in1', 'undo']);
    expect(b.ids()).toEqual(['in1', ...Array.from({ length: 8 }, (_, i) => `in${i + 2}`)]);
    expect(m.row(0)?.id).toBe('in1');
    expect(m.selected.id).toBe('in1');
  });

  it('keeps rows taken out by e e off the screen until the backend has both', async () => {
    const b = fake(20);
    const m = new InboxModel(100);
    await settle(m);
    const seen = new Set<string>();
    const watch = setInterval(() => {
      for (let i = 0; i < 3; i++) seen.add(m.row(i)?.id ?? '');
    }, 1);
    try {
      const first = m.triage('done');
      const second = m.triage('done');
      // A change from elsewhere (a sync) while both are on their way.
      const synced = m.refresh();
      await Promise.all([first, second, synced]);
      await settle(m);
    } finally {
      clearInterval(watch);
    }
    expect(b.log).toEqual(['run done in0', 'ran done in0', 'run done in1', 'ran done in1']);
    expect(seen.has('in0')).toBe(false);
    expect(seen.has('in1')).toBe(false);
    expect(m.row(0)?.id).toBe('in2');
    expect(m.total).toBe(8);
  });

  it('refreshes, and sends the next call, SEND_WAIT_MAX_MS after a triage the backend never answers', async () => {
    vi.useFakeTimers();
    try {
      const b = fake(0);
      const m = new InboxModel(100);
      const loaded = m.refresh();
      await vi.advanceTimersByTimeAsync(10);
      await loaded;
      expect(m.selected.id).toBe('in0');
      const w = globalThis as unknown as { window: { go: { app: { Triage: { RunThreads: () => Promise<never> } } } } };
      const original = w.window.go.app.Triage.RunThreads;
      w.window.go.app.Triage.RunThreads = () => new Promise<never>(() => {});
      void m.triage('done');
      let refreshed = false;
      void m.refresh().then(() => (refreshed = true));
      await vi.advanceTimersByTimeAsync(SEND_WAIT_MAX_MS - 100);
      expect(refreshed).toBe(false);
      await vi.advanceTimersByTimeAsync(200);
      expect(refreshed).toBe(true);
      // The backend never had the triage: the refresh shows the row again.
      expect(m.row(0)?.id).toBe('in0');
      expect(b.ids()).toContain('in0');
      // The next call is not held up for good either.
      w.window.go.app.Triage.RunThreads = original;
      const next = m.triage('done');
      await vi.advanceTimersByTimeAsync(10);
      await next;
      // (The selection stayed on in1, the row e had moved it to.)
      expect(b.log).toEqual(['run done in1', 'ran done in1']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('goes on after a refused call', async () => {
    const b = fake(0);
    const m = new InboxModel(100);
    await settle(m);
    const refused = m.undo(); // nothing to undo yet
    const after = m.triage('done');
    await Promise.all([refused, after]);
    await settle(m);
    expect(m.notice?.text).toBe('ok');
    expect(b.log).toEqual(['undo', 'run done in0', 'ran done in0']);
    expect(b.ids()).not.toContain('in0');
  });
});
