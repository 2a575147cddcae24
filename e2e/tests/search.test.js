// The / view, keyboard only, in the sample workspace in Chromium against the
// real Go backend and its bleve index: / opens the search box, typing
// searches as you go, Enter goes to the matches, Enter opens one in the
// reading pane, e marks a match done (it leaves the matches, as done items do
// unless asked for), u brings it back, Esc clears a pick before it closes,
// a refused query says why, and Esc goes back to the Inbox with its
// selection. No mouse event at all.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, noMouse, prepare, settled, waitUntil, withApp } from './harness.js';

let browser;
before(async () => { browser = await launchBrowser().catch(() => null); });
after(async () => { await browser?.close(); });

const rows = '[data-testid="row"]';
const input = '[data-testid="search-input"]';
const line = '[data-testid="search-line"]';

test('keyboard only: / searches as you type, Enter opens a match, e and u, a refused query, Esc back', async (t) => {
  const dir = prepare(t, browser);
  if (!dir) return;
  await withApp(browser, dir, {}, async (page) => {
    noMouse(page);
    await page.waitForSelector(rows, { timeout: 30000 });
    await settled(page);
    const snapshot = () => page.evaluate(async () => JSON.stringify({ status: (await window.go.app.Workspace.Status()).accounts, counts: await window.go.app.Inbox.Counts(), backlog: await window.go.app.Search.Backlog(), top: (await window.go.app.Inbox.List({ state: 'inbox', offset: 0, limit: 3 })).items.map((i) => [i.id, i.received]) }));
    const atSettle = await snapshot();
    await page.keyboard.press('j');
    const inboxSelected = await page.getAttribute(`${rows}[aria-selected="true"]`, 'data-id');

    await page.keyboard.press('/');
    await page.waitForFunction((sel) => document.activeElement?.matches(sel), input, { timeout: 5000 });
    // Typed keys are text here, not commands: no e, l or s ran.
    await page.keyboard.type('linux install');
    // The window shows what the backend finds. Both are read at the same
    // moment: a slow machine may search for "linux" on the way, and the
    // index may still be taking in the sample's last writes (each search
    // asks again until it has).
    const found = () => page.evaluate(async () => (await window.go.app.Search.Run('linux install', 500)).items.map((i) => i.id));
    try {
      await waitUntil(page, async ([sel, box]) => {
        const r = await window.go.app.Search.Run('linux install', 500);
        const text = document.querySelector(sel)?.textContent ?? '';
        const shown = [...document.querySelectorAll('[data-testid="row"]')].map((e) => e.getAttribute('data-id'));
        return new RegExp(`^${r.total} match`).test(text) && document.querySelector(box)?.value === 'linux install' &&
          shown.length > 0 && shown.every((id, i) => r.items[i]?.id === id);
      }, [line, input], { timeout: 10000, polling: 100 });
    } catch {
      assert.fail(`the line says "${await page.textContent(line)}", the backend finds ${(await found()).length}; the box holds "${await page.inputValue(input)}"\nwhen settled: ${atSettle}\nnow: ${await snapshot()}`);
    }
    const want = await found();
    assert.ok(want.length >= 3, `only ${want.length} matches for "linux install" in the sample`);
    assert.equal(await page.inputValue(input), 'linux install');
    assert.deepEqual(await page.evaluate(async () => (await window.go.app.Inbox.Counts()).done), 0, 'typing in the box ran a command');
    assert.match(await page.textContent('footer.status'), new RegExp(`${want.length} matches in Search`));
    assert.equal(await page.getAttribute('[data-testid="search-tab"]', 'aria-current'), 'page');

    // Enter: to the matches, the first selected; Enter again opens it.
    await page.keyboard.press('Enter');
    await page.waitForFunction((sel) => !document.activeElement?.matches(sel), input, { timeout: 5000 });
    assert.equal(await page.getAttribute(`${rows}[aria-selected="true"]`, 'data-id'), want[0]);
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    const title = await page.evaluate(async (id) => (await window.go.app.Inbox.Get(id)).title, want[1]);
    await page.waitForFunction((tt) => document.querySelector('[aria-label="Reading pane"] h1')?.textContent === tt, title, { timeout: 5000 });

    // e in the pane: done; a done item leaves the matches; u brings it back.
    await page.keyboard.press('e');
    await waitUntil(page, async (id) => (await window.go.app.Inbox.Get(id)).triage.state === 'done', want[1], { timeout: 5000 });
    await page.waitForFunction((n) => new RegExp(`^${n} match`).test(document.querySelector('[data-testid="search-line"]')?.textContent ?? ''), want.length - 1, { timeout: 5000 });
    await page.keyboard.press('u');
    await waitUntil(page, async (id) => (await window.go.app.Inbox.Get(id)).triage.state === 'inbox', want[1], { timeout: 5000 });
    await page.waitForFunction((n) => new RegExp(`^${n} match`).test(document.querySelector('[data-testid="search-line"]')?.textContent ?? ''), want.length, { timeout: 5000 });

    // / again: the box, its text selected, so typing replaces it.
    await page.keyboard.press('Escape'); // the pane → the matches
    // Esc with a row picked (x) clears the pick and keeps the search.
    await page.keyboard.press('x');
    await page.waitForFunction(() => /1 selected/.test(document.querySelector('footer.status')?.textContent ?? ''), null, { timeout: 5000 });
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !/selected/.test(document.querySelector('footer.status')?.textContent ?? ''), null, { timeout: 5000 });
    assert.ok(await page.$(input), 'Esc with a row picked closed the search');
    await page.keyboard.press('/');
    await page.waitForFunction((sel) => document.activeElement?.matches(sel), input, { timeout: 5000 });
    await page.keyboard.type('before:someday');
    await page.waitForFunction((sel) => /not a date/.test(document.querySelector(sel)?.textContent ?? ''), line, { timeout: 5000 });
    assert.equal(await page.$$eval(rows, (els) => els.length), 0);

    // Esc in the box: back to the Inbox, where the selection was.
    await page.keyboard.press('Escape');
    await page.waitForSelector(input, { state: 'detached', timeout: 5000 });
    assert.match(await page.textContent('footer.status'), /in Inbox/);
    await page.waitForFunction((id) => document.querySelector('[data-testid="row"][aria-selected="true"]')?.getAttribute('data-id') === id, inboxSelected, { timeout: 5000 });
    // And the list has the keys again.
    await page.keyboard.press('j');
    await page.waitForFunction((id) => document.querySelector('[data-testid="row"][aria-selected="true"]')?.getAttribute('data-id') !== id, inboxSelected, { timeout: 5000 });
  });
});
