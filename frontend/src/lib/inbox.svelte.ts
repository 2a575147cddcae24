// InboxModel is the reactive state of the inbox screen: the current view, the
// window of rows (through ListWindow), the selection, the counts, the item in
// the reading pane and the last triage message. Components read it; commands
// call its methods.

import { SvelteSet } from 'svelte/reactivity';
import * as api from './api';
import type { Counts, Item, Source, State, Summary } from './api';
import { ListWindow, reconcile, type Selection } from './listwindow';
import { LRU, type Range } from './pagecache';
import { parse } from './commands';
import { afterPaint } from './frame';

/** SEND_WAIT_MAX_MS bounds how long an unanswered triage call holds up the calls and refreshes after it. */
export const SEND_WAIT_MAX_MS = 5000;

/** Where a triage verb moves an item. */
const TARGET: Record<string, State> = { done: 'done', inbox: 'inbox', later: 'later', snooze: 'snoozed' };

export interface Notice {
  text: string;
  kind: 'info' | 'error';
  /** Shown beside the text when undo is possible. */
  undo?: boolean;
}

/**
 * SEARCH_LIMIT is how many matches one search answers for all the pages of
 * a refresh (the backend's most). Pages further down a long result are
 * asked for one at a time (Search.Page).
 */
export const SEARCH_LIMIT = 500;

/**
 * SEARCH_FIRST is how many matches a search asks for until the list goes
 * past them: a search runs as the user types, and its answer is then about
 * 40 KB instead of 200 KB.
 */
export const SEARCH_FIRST = 100;

/** INDEXING_RETRY_MS is how soon a search the index answered while behind the store runs again. */
export const INDEXING_RETRY_MS = 1000;

/** What the last search said besides its rows. */
export interface SearchInfo {
  /** How many items match in all. */
  total: number;
  tookMs: number;
  /** The index is still catching up with the store: matches may be missing. */
  indexing: boolean;
}

export class InboxModel {
  view = $state<State>('inbox');
  /**
   * The search the list shows instead of the view (the / view), or null.
   * "" is a search box with nothing typed yet: an empty list.
   */
  query = $state<string | null>(null);
  searchInfo = $state<SearchInfo | null>(null);
  /** Why the last search failed (a bad date, say), for the search box. */
  searchError = $state<string | null>(null);
  /** The source filter (keys 0-4); null shows every source. */
  source = $state<Source | null>(null);
  /** Rows picked with x, by id; Shift+E and "selection …" act on them. */
  readonly picked = new SvelteSet<string>();
  selected = $state<Selection>({ id: null, index: 0 });
  counts = $state<Counts>({ inbox: 0, later: 0, snoozed: 0, done: 0 });
  /** The full item of the selection, once loaded. */
  item = $state<Item | null>(null);
  itemError = $state<string | null>(null);
  notice = $state<Notice | null>(null);
  undoDepth = $state(0);

  /** Bumped whenever the list's rows or total change, so readers re-run. */
  private version = $state(0);
  private list: ListWindow<Summary>;
  private remembered = new Map<State, Selection>();
  private details = new LRU<string, Item>(24);
  private detailTimer: ReturnType<typeof setTimeout> | undefined;
  /** Asks again while the index is behind the store (see searchPage). */
  private indexingTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<void> | null = null;
  /** The last triage or undo call, answered or not (see sendInOrder). */
  private triageQueue: Promise<void> = Promise.resolve();
  /** Triage and undo calls queued or unanswered. */
  private sending = 0;
  /** The refresh held back until they are answered (see refresh). */
  private afterSending: Promise<void> | null = null;
  private again = false;
  /** The running or last search, shared by the pages of one refresh. */
  private results: { query: string; gen: number; limit: number; run: Promise<api.SearchResults | null> } | null = null;
  /** How many matches this search asks for: SEARCH_FIRST, then SEARCH_LIMIT once the list goes past them. */
  private searchWant = SEARCH_FIRST;
  /** Moves on every refresh, so a refresh searches again. */
  private searchGen = 0;
  /** The view's selection from before the search, back when it closes. */
  private beforeSearch: Selection | null = null;

  constructor(pageSize = 100) {
    this.list = new ListWindow<Summary>(
      (offset, limit) => {
        if (this.query !== null) return this.searchPage(this.query, offset, limit);
        const q: api.Query = { state: this.view, offset, limit, threads: this.view === 'inbox' };
        if (this.source) q.source = this.source;
        return api.inbox.list(q);
      },
      { pageSize, maxPages: 6, onChange: () => this.changed() },
    );
  }

  get total(): number {
    void this.version;
    return this.list.total;
  }

  get loaded(): boolean {
    void this.version;
    return this.list.loaded;
  }

  get listError(): string | null {
    void this.version;
    return this.list.error;
  }

  /** row returns row i if it is in memory (else the list shows a placeholder). */
  row(i: number): Summary | undefined {
    void this.version;
    return this.list.at(i);
  }

  /** current is the selected row's summary. */
  get current(): Summary | undefined {
    const r = this.row(this.selected.index);
    return r && r.id === this.selected.id ? r : undefined;
  }

  setRange(r: Range): void {
    void this.list.setRange(r);
  }

  // ---- selection -------------------------------------------------------

  select(index: number): void {
    const total = this.list.total;
    if (total <= 0) return;
    const i = Math.min(Math.max(0, index), total - 1);
    this.setSelection({ id: this.list.at(i)?.id ?? null, index: i });
    void this.list.pin(this.pinned());
  }

  move(delta: number): void {
    this.select(this.selected.index + delta);
  }

  first(): void {
    this.select(0);
  }

  last(): void {
    this.select(this.list.total - 1);
  }

  private pinned(): number[] {
    // The selection's page, and the one after it in case new items push it down.
    const i = this.selected.index;
    return [i, i + Math.floor(this.list.pageSize / 2)];
  }

  private setSelection(sel: Selection): void {
    const changed = sel.id !== this.selected.id;
    if (sel.id !== this.selected.id || sel.index !== this.selected.index) this.selected = sel;
    if (changed) this.loadDetail(false);
  }

  private changed(): void {
    this.version++;
    // Fill in the id of a selected row that was not yet loaded.
    if (this.selected.id === null && this.list.total > 0) {
      const r = this.list.at(Math.min(this.selected.index, this.list.total - 1));
      if (r) this.setSelection({ id: r.id, index: Math.min(this.selected.index, this.list.total - 1) });
      return;
    }
    // A page that arrived with rows shifted (new items above, say) moves
    // the selected item: follow it, so the highlighted row is always the
    // item the pane shows and the keys act on.
    if (this.selected.id !== null) {
      const i = this.list.indexOf(this.selected.id);
      if (i >= 0 && i !== this.selected.index) this.selected = { id: this.selected.id, index: i };
    }
  }

  // ---- loading ---------------------------------------------------------

  /**
   * refresh re-queries the visible window and the counts. Calls that arrive
   * while one runs coalesce into a single follow-up, and so do those made
   * while triage calls are on their way to the backend.
   */
  refresh(): Promise<void> {
    // While a triage or undo is queued, the backend does not have it yet,
    // and the pages it answered would put back rows the keys took out: the
    // refresh waits until every queued call has been answered.
    if (this.sending > 0) {
      this.afterSending ??= this.whenSent().then(() => {
        this.afterSending = null;
        return this.refreshNow();
      });
      return this.afterSending;
    }
    return this.refreshNow();
  }

  private refreshNow(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        this.searchGen++;
        const counts = this.loadCounts();
        await this.list.refresh(this.pinned());
        this.setSelection(reconcile(this.selected, this.list));
        this.details.clear();
        this.loadDetail(true);
        await counts;
      } while (this.again);
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async loadCounts(): Promise<void> {
    try {
      this.counts = await api.inbox.counts();
    } catch (e) {
      this.notice = { text: api.errorMessage(e), kind: 'error' };
    }
  }

  /** setView shows another list, restoring the selection it had last time. */
  setView(state: State): void {
    if (this.query !== null) {
      // Going to a view leaves the search; the selection each view had is kept.
      if (state === this.view) return this.closeSearch();
      this.selected = this.endSearch();
    }
    if (state === this.view) return;
    this.remembered.set(this.view, $state.snapshot(this.selected));
    this.view = state;
    this.restart(this.remembered.get(state) ?? { id: null, index: 0 });
  }

  /** setSource filters every view to one source (null: all), from the top. */
  setSource(source: Source | null): void {
    if (source === this.source) return;
    this.remembered.clear();
    this.source = source;
    this.restart({ id: null, index: 0 });
  }

  // ---- search ------------------------------------------------------------

  /** searching says the list shows a search, not the view. */
  get searching(): boolean {
    return this.query !== null;
  }

  /** openSearch shows the search (empty until a query is typed) in place of the view. */
  openSearch(): void {
    if (this.query !== null) return;
    this.beforeSearch = $state.snapshot(this.selected);
    this.setSearch('');
    this.restart({ id: null, index: 0 });
  }

  /** setQuery searches for query (trimmed), from the top. */
  setQuery(query: string): void {
    const q = query.trim();
    if (this.query === null || q === this.query) return;
    this.setSearch(q);
    this.restart({ id: null, index: 0 });
  }

  /** closeSearch goes back to the view and its selection. */
  closeSearch(): void {
    if (this.query === null) return;
    this.restart(this.endSearch());
  }

  /** setSearch makes query the search shown, forgetting the last one's answer. */
  private setSearch(query: string | null): void {
    clearTimeout(this.indexingTimer);
    this.query = query;
    this.searchInfo = null;
    this.searchError = null;
    this.results = null;
  }

  /** endSearch leaves the search and returns the view's selection from before it. */
  private endSearch(): Selection {
    this.setSearch(null);
    const back = this.beforeSearch ?? { id: null, index: 0 };
    this.beforeSearch = null;
    return back;
  }

  /** restart shows the list from scratch with sel selected. */
  private restart(sel: Selection): void {
    this.list.reset();
    this.picked.clear();
    this.setSelection(sel);
    void this.refresh();
  }

  /**
   * searchPage answers the list's page from one search per refresh: the
   * first SEARCH_FIRST matches, newest first, or SEARCH_LIMIT once the list
   * has gone past them. Pages beyond those are searched for one by one.
   * The source filter (keys 1-4) narrows it as it narrows the views. A
   * query the backend refuses shows as searchError over an empty list.
   */
  private async searchPage(query: string, offset: number, limit: number): Promise<api.Page> {
    if (query === '') {
      this.searchInfo = null;
      return { items: [], total: 0, offset };
    }
    const full = this.source ? `source:${this.source} ${query}` : query;
    if (offset + limit > SEARCH_LIMIT) {
      const r = await api.search.page(full, offset, limit);
      return { items: r.items, total: r.total, offset };
    }
    if (this.results?.query !== full) this.searchWant = SEARCH_FIRST;
    if (offset + limit > this.searchWant) this.searchWant = SEARCH_LIMIT;
    const want = this.searchWant;
    if (!this.results || this.results.query !== full || this.results.gen !== this.searchGen || this.results.limit < want) {
      const gen = this.searchGen;
      const run = api.search.run(full, want).then(
        (r) => {
          if (this.results?.run === run) {
            this.searchInfo = { total: r.total, tookMs: r.tookMs, indexing: !!r.indexing };
            this.searchError = null;
            // Nothing else tells the window when the index has caught up
            // (the last sync's items:changed may come before): ask again.
            clearTimeout(this.indexingTimer);
            if (r.indexing || (r.backlog ?? 0) > 0) {
              this.indexingTimer = setTimeout(() => {
                if (this.results?.run === run) void this.refresh();
              }, INDEXING_RETRY_MS);
            }
          }
          return r;
        },
        (e) => {
          if (this.results?.run === run) {
            this.searchInfo = null;
            this.searchError = api.errorMessage(e);
          }
          return null;
        },
      );
      this.results = { query: full, gen, limit: want, run };
    }
    const r = await this.results.run;
    const items = r?.items ?? [];
    return { items: items.slice(offset, offset + limit), total: r?.total ?? 0, offset };
  }

  /** toggle picks or unpicks the selected row. */
  toggle(): void {
    const id = this.selected.id;
    if (!id) return;
    if (this.picked.has(id)) this.picked.delete(id);
    else this.picked.add(id);
  }

  /**
   * loadDetail fetches the selected item for the reading pane. A short delay
   * lets a held-down j skip the items it flies past; quiet keeps the item on
   * screen while it is re-read after a change.
   */
  private loadDetail(quiet: boolean): void {
    clearTimeout(this.detailTimer);
    const id = this.selected.id;
    if (!id) {
      this.item = null;
      this.itemError = null;
      return;
    }
    const cached = this.details.get(id);
    if (cached) {
      this.item = cached;
      this.itemError = null;
      return;
    }
    if (!quiet || this.item?.id !== id) {
      this.item = null;
      this.itemError = null;
    }
    this.detailTimer = setTimeout(async () => {
      try {
        const it = await api.inbox.get(id);
        this.details.set(id, it);
        if (this.selected.id === id) {
          this.item = it;
          this.itemError = null;
        }
      } catch (e) {
        if (this.selected.id === id && !quiet) this.itemError = api.errorMessage(e);
      }
    }, quiet ? 0 : 40);
  }

  // ---- triage ----------------------------------------------------------

  /**
   * triage runs a triage command on the selected item. If the command moves
   * the item out of this view it leaves the list at once and the selection
   * lands on the next row; the backend's answer and items:changed confirm it.
   */
  async triage(command: string, ids?: string[]): Promise<void> {
    const targets = ids ?? (this.selected.id ? [this.selected.id] : []);
    if (targets.length === 0) return;
    const target = TARGET[parse(command).name];
    // Search results keep an item moved to Later or Snoozed (its row shows
    // where it went; a done one leaves unless the query asks for Done); the
    // selection goes on to the next one.
    if (target && this.query !== null && targets.length === 1 && targets[0] === this.selected.id) this.move(1);
    if (target && target !== this.view && this.query === null) {
      this.list.removeLocal(targets);
      for (const id of targets) this.picked.delete(id);
      this.counts = {
        ...this.counts,
        [this.view]: Math.max(0, this.counts[this.view] - targets.length),
        [target]: this.counts[target] + targets.length,
      };
      this.setSelection(reconcile(this.selected, this.list));
      void this.list.pin(this.pinned());
    }
    // The Inbox shows one row per thread: a command on a row is on its thread.
    const threads = this.view === 'inbox' && this.query === null;
    // The call waits for the frame that shows the change, so that frame does
    // not also carry the call's cost (about a millisecond in a profile);
    // calls go in the order of the keys (see sendInOrder).
    const sent = this.sendInOrder(() => (threads ? api.triage.runThreads(command, targets) : api.triage.run(command, targets)));
    try {
      const r = await sent;
      this.undoDepth = r.undoDepth;
      this.notice = { text: r.message || defaultMessage(command), kind: 'info', undo: r.undoDepth > 0 };
    } catch (e) {
      this.notice = { text: api.errorMessage(e), kind: 'error' };
    }
    await this.refresh();
  }

  /**
   * sendInOrder makes a triage or undo call once the frame now being made
   * is painted, after every call queued before it has been answered: an u
   * pressed right after e must reach the backend after the e. A call left
   * unanswered for SEND_WAIT_MAX_MS stops holding up the ones after it.
   */
  private sendInOrder<R>(call: () => Promise<R>): Promise<R> {
    this.sending++;
    const turn = this.triageQueue.then(afterPaint);
    const sent = turn.then(call);
    this.triageQueue = turn.then(() => settledWithin(sent, SEND_WAIT_MAX_MS)).then(() => void this.sending--);
    return sent;
  }

  /** whenSent resolves once no triage or undo call is queued or unanswered. */
  private async whenSent(): Promise<void> {
    while (this.sending > 0) await this.triageQueue;
  }

  /** undo reverts the last triage and selects the item it brought back. */
  async undo(): Promise<void> {
    try {
      const r = await this.sendInOrder(() => api.triage.undo());
      this.undoDepth = r.undoDepth;
      this.notice = { text: r.message || 'Undone.', kind: 'info', undo: r.undoDepth > 0 };
      if (r.changed.length > 0) this.selected = { id: r.changed[0], index: this.selected.index };
    } catch (e) {
      const text = api.errorMessage(e);
      this.notice = text === 'nothing to undo' ? { text: 'Nothing to undo.', kind: 'info' } : { text, kind: 'error' };
      return;
    }
    await this.refresh();
  }
}

/** settledWithin resolves once p settles, or after ms if it has not by then. */
function settledWithin(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    p.then(done, done);
  });
}

function defaultMessage(command: string): string {
  switch (parse(command).name) {
    case 'done':
      return 'Marked done.';
    case 'inbox':
      return 'Moved to Inbox.';
    case 'later':
      return 'Saved for later.';
    case 'snooze':
      return 'Snoozed.';
    default:
      return `${command}: ok`;
  }
}
