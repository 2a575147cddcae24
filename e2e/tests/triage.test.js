// Keyboard-only triage in the sample workspace, in Chromium against the real
// Go backend: filter to GitHub, triage its threads to zero with e, l and s
// (each picker choice by key), see Later ordered by respond-by with the time
// left, undo, and run a command from the palette. No mouse event at all: the
// page's mouse is replaced by one that fails the test.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, noMouse, prepare, settled, waitUntil, withApp } from './harness.js';

let browser;
before(async () => { browser = await launchBrowser().catch(() => null); });
after(async () => { await browser?.close(); });

const rows = '[data-testid="row"]';
const picker = '[data-testid="picker"]';

async function selectedId(page) {
  return page.getAttribute(`${rows}[aria-selected="true"]`, 'data-id', { timeout: 5000 });
}

async function statusLine(page) {
  return page.textContent('footer.status');
}

async function waitGone(page, id) {
  await page.waitForFunction((i) => !document.querySelector(`[data-testid="row"][data-id="${CSS.escape(i)}"]`), id, { timeout: 5000 });
}

async function press(page, keys) {
  for (const [i, k] of keys.entries()) {
    if (k.startsWith('type:')) await page.keyboard.type(k.slice(5));
    else await page.keyboard.press(k);
    // The first l or s opens the picker; wait for it before choosing.
    if (i === 0 && keys.length > 1) await page.waitForSelector(picker, { timeout: 5000 });
    if (k === '5') await page.waitForSelector('[data-testid="picker-date"]', { timeout: 5000 });
  }
}

/** waitState waits until the backend has id in state: the list drops a row before the backend answers. */
async function waitState(page, id, state) {
  await waitUntil(page, async ([i, st]) => (await window.go.app.Inbox.Get(i)).triage.state === st, [id, state], { timeout: 5000 });
}

async function githubThreads(page, state) {
  return page.evaluate(async (s) => (await window.go.app.Inbox.List({ state: s, source: 'github', threads: s === 'inbox', offset: 0, limit: 500 })).total, state);
}

test('keyboard only: GitHub inbox to zero with e, l and s; Later by time left; undo; palette', async (t) => {
  const dir = prepare(t, browser);
  if (!dir) return;
  await withApp(browser, dir, {}, async (page) => {
    noMouse(page);
    await page.waitForSelector(rows, { timeout: 30000 });
    await waitUntil(page, async () => (await window.go.app.Inbox.Counts()).inbox >= 300, null, { timeout: 60000 });
    await settled(page);

    // 3: GitHub only. Its pull requests are threads of several items, one row each.
    await page.keyboard.press('3');
    await page.waitForFunction(() => document.querySelector('footer.status')?.textContent?.includes('GitHub'), null, { timeout: 5000 });
    // The header says the lists are narrowed, and how to widen them.
    assert.match(await page.textContent('[data-testid="source-filter"]'), /GitHub only\s*0/);
    const threads = await githubThreads(page, 'inbox');
    assert.ok(threads >= 11, `only ${threads} GitHub threads in the sample`);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="row"]').length === n, threads, { timeout: 5000 });

    // Ten rows, each by a different path through the keys.
    const steps = [
      { keys: ['e'], state: 'done' },
      { keys: ['l', 'l'], state: 'later' }, // l l: the usual reply time (GitHub norm, 24 h)
      { keys: ['s', '2'], state: 'snoozed' }, // this afternoon
      { keys: ['l', '3'], state: 'later' }, // tomorrow morning
      { keys: ['e'], state: 'done' },
      { keys: ['s', '5', 'type:3d', 'Enter'], state: 'snoozed' }, // a typed date: in three days
      { keys: ['l', '1'], state: 'later' }, // next batch
      { keys: ['l', 'Enter'], state: 'later' }, // Enter takes the highlighted default (the norm)
      { keys: ['s', 'j', 'j', 'Enter'], state: 'snoozed' }, // j j: tomorrow morning
      { keys: ['l', '2'], state: 'later' }, // this afternoon
    ];
    const acted = [];
    for (const step of steps) {
      const id = await selectedId(page);
      await press(page, step.keys);
      await waitGone(page, id).catch(async (err) => {
        await page.screenshot({ path: '/tmp/triage-failed.png' });
        throw new Error(`${id} still listed after ${step.keys.join(' ')}: ${await statusLine(page)}: ${err.message}`);
      });
      if (await page.$(picker)) throw new Error(`picker still open after ${step.keys.join(' ')}`);
      acted.push({ id, ...step });
    }
    for (const a of acted) {
      await waitState(page, a.id, a.state);
      const it = await page.evaluate((id) => window.go.app.Inbox.Get(id), a.id);
      assert.equal(it.triage.state, a.state, `${a.id} after ${a.keys.join(' ')}`);
      if (a.state === 'later') assert.ok(Date.parse(it.triage.respondBy) > Date.now(), `${a.id} has no respond-by time`);
      if (a.state === 'snoozed') assert.ok(Date.parse(it.triage.snoozeUntil) > Date.now(), `${a.id} has no wake-up time`);
    }
    // The whole thread went, not just its newest item.
    const thread = await page.evaluate(async (id) => {
      const p = await window.go.app.Inbox.List({ state: 'done', source: 'github', offset: 0, limit: 100 });
      return p.items.filter((x) => x.id !== id).length;
    }, acted[0].id);
    assert.ok(thread >= 1, 'e on a thread row left the rest of the thread in the inbox');

    // The rest: x selects each (j moves), Shift+E marks the selection done.
    const left = threads - steps.length;
    for (let i = 0; i < left; i++) {
      await page.keyboard.press('x');
      if (i < left - 1) await page.keyboard.press('j');
    }
    await page.waitForFunction((n) => document.querySelector('footer.status')?.textContent?.includes(`${n} selected`), left, { timeout: 5000 });
    await page.keyboard.press('Shift+E');
    await page.getByText('Inbox zero. Nothing needs you.').waitFor({ timeout: 5000 });
    await waitUntil(page, async () => (await window.go.app.Inbox.List({ state: 'inbox', source: 'github', threads: true, offset: 0, limit: 10 })).total === 0, null, { timeout: 5000 });

    // g l: Later, soonest respond-by first, each row with its time left.
    await page.keyboard.press('g');
    await page.keyboard.press('l');
    await page.waitForFunction(() => document.querySelector('footer.status')?.textContent?.includes('in Later'), null, { timeout: 5000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="row"] [data-testid="when"]').length >= 5, null, { timeout: 5000 });
    const later = await page.$$eval(rows, (els) => els.map((e) => ({ id: e.getAttribute('data-id'), when: e.querySelector('[data-testid="when"]')?.textContent ?? '' })));
    const due = await page.evaluate(async (ids) => Promise.all(ids.map(async (id) => Date.parse((await window.go.app.Inbox.Get(id)).triage.respondBy))), later.map((r) => r.id));
    for (let i = 1; i < due.length; i++) assert.ok(due[i - 1] <= due[i], `Later is not in respond-by order at row ${i}`);
    for (const r of later) assert.match(r.when, /^(\d+ (min|h|d) left|due now)$/, `${r.id} shows ${JSON.stringify(r.when)}`);
    await page.screenshot({ path: '/tmp/later-view.png' });

    // u: the selection comes back to the inbox.
    await page.keyboard.press('u');
    await waitUntil(page, async () => (await window.go.app.Inbox.List({ state: 'inbox', source: 'github', threads: true, offset: 0, limit: 10 })).total > 0, null, { timeout: 5000 });
    assert.equal(await githubThreads(page, 'inbox'), left);
    await page.waitForFunction(() => /Undone: \d+ items marked done/.test(document.querySelector('footer.status')?.textContent ?? ''), null, { timeout: 5000 });
    // u again: the step before, "l 2", and the Later view loses that thread.
    const laterTotal = await githubThreads(page, 'later');
    await page.keyboard.press('u');
    await waitState(page, acted[9].id, 'inbox');
    const laterNow = await githubThreads(page, 'later');
    assert.ok(laterNow < laterTotal, 'Later did not lose the undone thread');
    await page.waitForFunction((n) => document.querySelector('footer.status .total')?.textContent?.startsWith(`${n} item`), laterNow, { timeout: 5000 });
    const back = await page.evaluate((id) => window.go.app.Inbox.Get(id), acted[9].id);
    assert.equal(back.triage.respondBy, undefined, 'undo left a respond-by time behind');

    // Ctrl+K: the palette lists every command with its keys; typing filters; Enter runs.
    await page.keyboard.press('Control+k');
    await page.waitForSelector('[data-testid="palette"]', { timeout: 5000 });
    const all = await page.$$eval('[data-testid="palette"] [role="option"]', (els) => els.map((e) => e.getAttribute('data-command')));
    for (const c of ['done', 'picker later', 'picker snooze', 'view later', 'undo', 'selection done', 'browse', 'filter github']) {
      assert.ok(all.includes(c), `palette lacks ${c}`);
    }
    const doneKeys = await page.textContent('[data-testid="palette"] [data-command="done"] .keys');
    assert.equal(doneKeys.trim(), 'e');
    await page.waitForTimeout(250); // the scrim fades in
    await page.screenshot({ path: '/tmp/palette.png' });
    await page.keyboard.type('go snoozed');
    await page.waitForFunction(() => document.querySelector('[data-testid="palette"] [aria-selected="true"]')?.getAttribute('data-command') === 'view snoozed', null, { timeout: 5000 });
    await page.waitForTimeout(100);
    await page.screenshot({ path: '/tmp/palette-filtered.png' });
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="palette"]', { state: 'detached', timeout: 5000 });
    await page.waitForFunction(() => document.querySelector('footer.status')?.textContent?.includes('in Snoozed'), null, { timeout: 5000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="row"] [data-testid="when"]').length > 0, null, { timeout: 5000 });
    const wake = await page.$$eval(`${rows} [data-testid="when"]`, (els) => els.map((e) => e.textContent));
    assert.ok(wake.length > 0 && wake.every((w) => w.startsWith('wakes ')), `snoozed rows show ${JSON.stringify(wake)}`);

    // The palette runs triage too: Ctrl+K, "mark done", Enter.
    const first = await selectedId(page);
    await page.keyboard.press('Control+k');
    await page.waitForSelector('[data-testid="palette"]', { timeout: 5000 });
    await page.keyboard.type('mark done');
    await page.keyboard.press('Enter');
    await waitGone(page, first);
    await waitState(page, first, 'done');

    // 0: every source again; the header's chip goes.
    await page.keyboard.press('0');
    await page.waitForSelector('[data-testid="source-filter"]', { state: 'detached', timeout: 5000 });
    await page.waitForFunction(() => !document.querySelector('footer.status')?.textContent?.includes('GitHub'), null, { timeout: 5000 });
  });
});

test('keys from config.toml replace the defaults, and ? shows them', async (t) => {
  const dir = prepare(t, browser);
  if (!dir) return;
  const { writeFileSync } = await import('node:fs');
  const path = await import('node:path');
  writeFileSync(path.join(dir, 'config.toml'), '[keys.list]\ndone = "d"\n"snooze tomorrow-morning" = "Shift+z"\n');
  await withApp(browser, dir, {}, async (page) => {
    noMouse(page);
    await page.waitForSelector(rows, { timeout: 30000 });
    await waitUntil(page, async () => (await window.go.app.Inbox.Counts()).inbox >= 300, null, { timeout: 60000 });
    await settled(page);
    const keys = await page.evaluate(() => window.go.app.Settings.Keys());
    assert.deepEqual(keys, { list: { done: ['d'], 'snooze tomorrow-morning': ['Z'] } });

    const first = await selectedId(page);
    await page.keyboard.press('e'); // no longer done in the list
    await page.waitForTimeout(300);
    assert.equal((await page.evaluate((id) => window.go.app.Inbox.Get(id), first)).triage.state, 'inbox');
    assert.equal(await selectedId(page), first);
    await page.keyboard.press('d');
    await waitGone(page, first);
    const second = await selectedId(page);
    await page.keyboard.press('Shift+Z');
    await waitGone(page, second);
    await waitState(page, second, 'snoozed');

    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor({ timeout: 5000 });
    const text = await help.textContent();
    assert.ok(text.includes('Snooze until tomorrow morning'), 'the new binding is not in the help');
    assert.ok(text.includes('Command palette'));
  });
});
