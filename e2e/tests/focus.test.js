// Focus from the keyboard against the real backend: f starts focus, the list
// stays as it was while new items are held and counted in the header, and f
// again stops focus and lets them in. g h shows only how many are held.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, prepare, waitUntil, withApp } from './harness.js';

let browser;
before(async () => { browser = await launchBrowser().catch(() => null); });
after(async () => { await browser?.close(); });

const rows = '[data-testid="row"]';
const line = '[data-testid="focus-line"]';

test('f freezes the inbox while new items are held, and f again lets them in', async (t) => {
  const dir = prepare(t, browser);
  if (!dir) return;
  await withApp(browser, dir, { env: { LULL_DEMO_INTERVAL: '300ms' } }, async (page) => {
    await page.waitForSelector(rows, { timeout: 30000 });
    await waitUntil(page, async () => (await window.go.app.Workspace.Status()).accounts.some((a) => a.state === 'idle'), null, { timeout: 60000 });

    await page.keyboard.press('f');
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes('Focusing'), line, { timeout: 5000 });
    // An item that arrived just before f may still be on its way to the list
    // (events are coalesced for 200 ms); let it land, then take the picture.
    await page.waitForTimeout(700);
    const frozenTop = await page.getAttribute(`${rows} >> nth=0`, 'data-id');
    const frozenTotal = (await page.evaluate(() => window.go.app.Inbox.List({ state: 'inbox', offset: 0, limit: 1 }))).total;

    // New items keep arriving: they are held, counted, and not shown.
    await page.waitForFunction((sel) => /(\d+) held/.exec(document.querySelector(sel)?.textContent ?? '')?.[1] >= 3, line, { timeout: 15000 });
    assert.equal(await page.getAttribute(`${rows} >> nth=0`, 'data-id'), frozenTop, 'the list moved during focus');
    const during = await page.evaluate(() => window.go.app.Inbox.List({ state: 'inbox', offset: 0, limit: 1 }));
    assert.equal(during.total, frozenTotal, 'held items leaked into the list total');
    const held = (await page.evaluate(() => window.go.app.Focus.Status())).held;
    assert.ok(held >= 3);

    // g h: the Held view shows how many wait and when they come, never the items.
    await page.keyboard.press('g');
    await page.keyboard.press('h');
    const heldView = page.locator('[data-testid="held-view"]');
    await heldView.waitFor({ timeout: 5000 });
    // Items keep arriving, so the count only grows: wait for it to reach what Status said.
    await page.waitForFunction((n) => Number(/^\s*(\d+)\s+items? held/.exec(document.querySelector('[data-testid="held-view"]')?.textContent ?? '')?.[1]) >= n, held, { timeout: 5000 });
    assert.equal(await page.locator(rows).count(), 0, 'the Held view lists items');
    assert.match(await heldView.textContent(), /They arrive together/);
    if (process.env.LULL_SHOT_DIR) await page.screenshot({ path: `${process.env.LULL_SHOT_DIR}/held.png` });
    // Esc goes back to the list, as from the reading pane.
    await page.keyboard.press('Escape');
    await heldView.waitFor({ state: 'detached', timeout: 5000 });
    await page.waitForSelector(rows, { timeout: 5000 });
    assert.equal(await page.getAttribute(`${rows} >> nth=0`, 'data-id'), frozenTop, 'the list moved during focus');

    await page.keyboard.press('f');
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.startsWith('Not focusing'), line, { timeout: 5000 });
    await page.waitForFunction((old) => document.querySelector('[data-testid="row"]')?.getAttribute('data-id') !== old, frozenTop, { timeout: 5000 });
    const afterStop = await page.evaluate(() => window.go.app.Inbox.List({ state: 'inbox', offset: 0, limit: 1 }));
    assert.ok(afterStop.total >= frozenTotal + held, `total ${afterStop.total} after release, want ≥ ${frozenTotal + held}`);
  });
});

test('settings from the keyboard: a focus block typed in , is saved and in force', async (t) => {
  const dir = prepare(t, browser);
  if (!dir) return;
  await withApp(browser, dir, {}, async (page) => {
    await page.waitForSelector(rows, { timeout: 30000 });
    await page.keyboard.press(',');
    await page.waitForSelector('[data-testid="blocks"]');
    // The panel puts the caret in its first field once its values are in.
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'policy', null, { timeout: 5000 });
    const hhmm = (d) => d.toTimeString().slice(0, 5);
    const now = new Date();
    const block = `daily ${hhmm(new Date(now - 3600e3))}-${hhmm(new Date(+now + 7200e3))}`;
    // Tab from the first field to the blocks field, type, save, close: no mouse.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type(block);
    await page.keyboard.press('Control+Enter');
    await page.getByText('Saved and in force').waitFor({ timeout: 5000 }).catch(async (err) => {
      const shown = await page.locator('[role="alert"]').allTextContents();
      await page.screenshot({ path: '/tmp/settings-fail.png' });
      const active = await page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.getAttribute('data-testid')} value=${document.activeElement?.value}`);
      shown.push(active);
      throw new Error(`${err.message}\nSettings said: ${shown.join(' | ') || '(nothing)'}; typed ${JSON.stringify(block)}`);
    });
    if (process.env.LULL_SHOT_DIR) await page.screenshot({ path: `${process.env.LULL_SHOT_DIR}/settings.png` });
    await page.keyboard.press('Escape');
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes('Focusing'), line, { timeout: 5000 });
    const st = await page.evaluate(() => window.go.app.Settings.Focus());
    assert.equal(st.weekly.length, 1);
  });
});
