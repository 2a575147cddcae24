// The email reading pane with a real message: a Maildir account syncs
// e2e/fixtures/reader/ through the real parser and sanitizer; Chromium opens
// a multipart/related message whose chart is a cid: part, and the test
// asserts that the chart renders from the message alone, that clicking,
// middle-clicking and pressing Enter on an https or mailto link hands exactly
// that address to Workspace.OpenURL without the frame navigating, that a
// javascript: link does nothing but say so, that keys pressed in the frame
// still drive the window, that no request leaves for any host but the
// app's own, and that the scroll keys scroll a long message from the pane.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, prepare, repo, seedMaildir, startApp, waitUntil } from './harness.js';

const corpus = path.join(repo, 'e2e', 'fixtures', 'reader');
const rows = '[data-testid="row"]';
const frame = 'iframe[data-testid="email-frame"]';
const REPORT = 'https://reports.lull-test.example/q3?from=mail&v=2';
const MAIL = 'mailto:reports@lull-test.example';

let browser;
before(async () => { browser = await launchBrowser().catch(() => null); });
after(async () => { await browser?.close(); });

/** inFrame runs fn(doc, ...args) on the email frame's live document (same origin, no script of its own). */
function inFrame(page, fn, ...args) {
  return page.evaluate(
    ([sel, src, a]) => {
      const doc = document.querySelector(sel)?.contentDocument;
      if (!doc) throw new Error('no frame document');
      // eslint-disable-next-line no-new-func
      return new Function('doc', 'args', `return (${src})(doc, ...args)`)(doc, a);
    },
    [frame, fn.toString(), args],
  );
}

/** linkPoint scrolls the link with the given text into view and returns its centre in page coordinates. */
async function linkPoint(page, text) {
  const box = await page.locator(frame).boundingBox();
  const r = await inFrame(page, (doc, t) => {
    const a = [...doc.querySelectorAll('a')].find((el) => el.textContent.trim() === t);
    if (!a) return null;
    a.scrollIntoView({ block: 'center' });
    const b = a.getBoundingClientRect();
    return { x: b.left + b.width / 2, y: b.top + b.height / 2 };
  }, text);
  assert.ok(r, `no link "${text}" in the frame`);
  return { x: box.x + r.x, y: box.y + r.y };
}

test('reader: cid: images show from the message; links open through OpenURL; nothing leaves', async (t) => {
  const dir = prepare(t, browser);
  if (!dir) return;
  const n = seedMaildir(dir, corpus, 'reader');
  const app = await startApp(dir, { args: [] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const appHost = new URL(app.url).host;
    const leaks = [];
    const dialogs = [];
    const pageErrors = [];
    page.on('dialog', (d) => { dialogs.push(`${d.type()}: ${d.message()}`); void d.dismiss(); });
    page.on('pageerror', (err) => { if (!String(err.stack || '').includes('/wails/ipc.js')) pageErrors.push(String(err)); });
    page.on('popup', (p) => leaks.push(`popup ${p.url()}`));
    page.on('request', (req) => {
      const url = req.url();
      if (/^data:image\//i.test(url)) return;
      let u = null;
      try { u = new URL(url); } catch { /* not a URL */ }
      if (u && u.host === appHost && /^(https?|wss?):$/.test(u.protocol)) return;
      leaks.push(`${req.resourceType()} ${url}`);
    });
    page.on('framenavigated', (f) => { if (f !== page.mainFrame() && f.url() !== 'about:srcdoc') leaks.push(`frame navigated to ${f.url()}`); });
    await page.route((url) => url.host !== appHost, (route) => route.abort('blockedbyclient'));
    await page.addInitScript(() => {
      Object.defineProperty(window, '__xss', { value: [], writable: false, configurable: false });
    });
    await page.goto(app.url);
    await page.waitForFunction(() => window.go?.app?.Inbox?.List && window.go?.app?.Workspace?.OpenURL, null, { timeout: 20000 });
    await waitUntil(page, async (want) => (await window.go.app.Inbox.Counts()).inbox === want, n, { timeout: 30000 });
    await page.waitForSelector(rows, { timeout: 10000 });
    // The system browser is the one thing this test cannot watch: record
    // what the window hands to Workspace.OpenURL instead.
    await page.evaluate(() => {
      window.__opened = [];
      window.go.app.Workspace.OpenURL = (u) => { window.__opened.push(u); return Promise.resolve(); };
    });
    const opened = () => page.evaluate(() => window.__opened.slice());

    // The newest message is the one with the chart.
    await page.keyboard.press('Enter');
    await page.waitForFunction((sel) => document.querySelector(sel)?.title === 'Message: Q3 numbers, with the chart inline', frame, { timeout: 5000 });
    const item = await page.evaluate(async (id) => window.go.app.Inbox.Get(id), await page.getAttribute(`${rows}[aria-selected="true"]`, 'data-id'));
    assert.deepEqual(item.attachments ?? [], [], 'the inline chart is not listed as an attachment');
    assert.equal(item.remoteImages, 1, 'the tracking pixel is counted');
    assert.equal(await page.getAttribute(frame, 'sandbox'), 'allow-same-origin');
    await page.waitForSelector(`${frame}[data-ready]`, { timeout: 5000 });

    // The chart decodes from the data: URL the cid: reference became.
    await page.waitForFunction((sel) => document.querySelector(sel).contentDocument.querySelector('img[alt="Q3 chart"]')?.complete, frame, { timeout: 5000 });
    const chart = await inFrame(page, (doc) => {
      const img = doc.querySelector('img[alt="Q3 chart"]');
      return { src: img.getAttribute('src').slice(0, 22), w: img.naturalWidth, h: img.naturalHeight };
    });
    assert.deepEqual(chart, { src: 'data:image/png;base64,', w: 176, h: 64 });
    assert.equal(await inFrame(page, (doc) => doc.querySelectorAll('[href]').length), 0, 'an href in the frame');

    // Mark the frame's document: a navigation or reload would lose the mark.
    await inFrame(page, (doc) => { doc.documentElement.dataset.testMark = 'still here'; });
    const sameDocument = () => inFrame(page, (doc) => doc.URL === 'about:srcdoc' && doc.documentElement.dataset.testMark === 'still here');

    // Hovering a link shows where it goes.
    let p = await linkPoint(page, 'the full report');
    await page.mouse.move(p.x, p.y);
    await page.waitForSelector('[data-testid="link-target"]', { timeout: 3000 });
    assert.equal(await page.textContent('[data-testid="link-target"]'), REPORT);

    // A click opens the https link in the system browser, and only there.
    await page.mouse.click(p.x, p.y);
    await page.waitForFunction((want) => window.__opened.length === want, 1, { timeout: 3000 });
    assert.deepEqual(await opened(), [REPORT]);
    assert.equal(await sameDocument(), true, 'the frame navigated');

    // A middle click opens the mailto link; a right click opens nothing.
    p = await linkPoint(page, 'the reports team');
    await page.mouse.click(p.x, p.y, { button: 'middle' });
    await page.waitForFunction((want) => window.__opened.length === want, 2, { timeout: 3000 });
    await page.mouse.click(p.x, p.y, { button: 'right' });
    await page.waitForTimeout(200);
    assert.deepEqual(await opened(), [REPORT, MAIL]);

    // A javascript: link does nothing but say why; neither does a #fragment.
    p = await linkPoint(page, 'this script link');
    await page.mouse.move(p.x, p.y);
    await page.waitForFunction(() => document.querySelector('[data-testid="link-target"]')?.textContent.startsWith('Not opened'), null, { timeout: 3000 });
    await page.mouse.click(p.x, p.y);
    await page.waitForFunction(() => document.querySelector('[data-testid="reader-line"]')?.textContent.includes('Not opened: javascript: links never open'), null, { timeout: 3000 });
    p = await linkPoint(page, 'the top');
    await page.mouse.click(p.x, p.y);
    await page.waitForFunction(() => document.querySelector('[data-testid="reader-line"]')?.textContent.includes('no web address'), null, { timeout: 3000 });
    await page.waitForTimeout(300);
    assert.deepEqual(await opened(), [REPORT, MAIL], 'a refused link reached OpenURL');
    assert.equal(await sameDocument(), true, 'the frame navigated');

    // Keyboard: Tab reaches the links inside the frame, Enter opens one,
    // even when the list had the keyboard before (Enter there opens a row).
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.activeElement?.closest('section.list'), null, { timeout: 3000 });
    await inFrame(page, (doc) => [...doc.querySelectorAll('a')].find((a) => a.textContent.trim() === 'the full report').focus());
    await page.keyboard.press('Tab');
    assert.equal(await inFrame(page, (doc) => doc.activeElement?.textContent.trim()), 'the reports team');
    await page.keyboard.press('Enter');
    await page.waitForFunction((want) => window.__opened.length === want, 3, { timeout: 3000 });
    assert.deepEqual(await opened(), [REPORT, MAIL, MAIL]);
    assert.equal(await sameDocument(), true, 'the frame navigated');

    // Focus is still inside the message: j goes to the window's keymap and
    // moves to the next message.
    const first = await page.getAttribute(`${rows}[aria-selected="true"]`, 'data-id');
    await page.keyboard.press('j');
    await page.waitForFunction((id) => document.querySelector('[data-testid="row"][aria-selected="true"]')?.getAttribute('data-id') !== id, first, { timeout: 3000 });
    await page.waitForFunction(() => document.querySelector('[aria-label="Reading pane"] h1')?.textContent === 'Lunch on Friday?', null, { timeout: 5000 });

    await page.waitForTimeout(300);
    assert.deepEqual(await opened(), [REPORT, MAIL, MAIL]);
    assert.deepEqual(await page.evaluate(() => window.__xss), [], 'a script ran');
    assert.deepEqual(dialogs, [], 'a dialog opened');
    assert.deepEqual(leaks, [], 'a request left for another host');
    assert.deepEqual(pageErrors, [], 'page errors');
    if (process.env.LULL_SHOT) {
      await page.keyboard.press('k');
      await page.waitForFunction((sel) => document.querySelector(sel)?.contentDocument?.querySelector('img[alt="Q3 chart"]')?.naturalWidth > 0, frame, { timeout: 5000 });
      await page.screenshot({ path: process.env.LULL_SHOT });
    }
    await page.close();
  } finally {
    await app.stop();
  }
});

test('reader: the keyboard scrolls a long message, in an email frame and in the pane', async (t) => {
  const dir = prepare(t, browser);
  if (!dir) return;
  const n = seedMaildir(dir, path.join(repo, 'e2e', 'fixtures', 'long'), 'long');
  const app = await startApp(dir, { args: [] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const pageErrors = [];
    page.on('pageerror', (err) => { if (!String(err.stack || '').includes('/wails/ipc.js')) pageErrors.push(String(err)); });
    await page.goto(app.url);
    await page.waitForFunction(() => window.go?.app?.Inbox?.Counts, null, { timeout: 20000 });
    await waitUntil(page, async (want) => (await window.go.app.Inbox.Counts()).inbox === want, n, { timeout: 30000 });
    await page.waitForSelector(rows, { timeout: 10000 });

    // Opened from the list, the focus is on the pane, not in the frame: the
    // scroll keys reach the frame through the keymap.
    await page.keyboard.press('Enter');
    await page.waitForSelector(`${frame}[title="Message: A long HTML letter"][data-ready]`, { timeout: 5000 });
    const frameY = () => page.evaluate((sel) => document.querySelector(sel).contentWindow.scrollY, frame);
    /** settles waits until the frame's scroll position is within [lo, hi]. */
    const settles = async (what, lo, hi = lo) => {
      await page.waitForFunction(
        ([sel, a, b]) => {
          const y = document.querySelector(sel).contentWindow.scrollY;
          return y >= a && y <= b;
        },
        [frame, lo, hi],
        { timeout: 3000 },
      ).catch(async () => assert.fail(`${what}: the frame is at ${await frameY()}, not in [${lo}, ${hi}]`));
    };
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Reading pane');
    assert.equal(await frameY(), 0);
    await page.keyboard.press('ArrowDown');
    await settles('ArrowDown', 40);
    await page.keyboard.press('ArrowUp');
    await settles('ArrowUp', 0);
    await page.keyboard.press('Space');
    await settles('Space', 300, 1000);
    const page1 = await frameY();
    await page.keyboard.press('PageDown');
    await settles('PageDown', 2 * page1);
    await page.keyboard.press('Shift+Space');
    await settles('Shift+Space', page1);
    await page.keyboard.press('End');
    await settles('End', 3 * page1, Infinity);
    assert.ok(await inFrame(page, (doc) => {
      const last = [...doc.querySelectorAll('p')].at(-1).getBoundingClientRect();
      return last.bottom <= doc.defaultView.innerHeight;
    }), 'the end of the letter is not in view');
    await page.keyboard.press('Home');
    await settles('Home', 0);

    // j still moves on, and in a plain message the pane itself scrolls.
    await page.keyboard.press('j');
    await page.waitForFunction(() => document.querySelector('[aria-label="Reading pane"] h1')?.textContent === 'A long plain note', null, { timeout: 5000 });
    const paneY = () => page.evaluate(() => document.querySelector('[aria-label="Reading pane"]').scrollTop);
    assert.equal(await paneY(), 0);
    await page.keyboard.press('End');
    await page.waitForFunction(() => document.querySelector('[aria-label="Reading pane"]').scrollTop > 500, null, { timeout: 3000 });
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.querySelector('[aria-label="Reading pane"]').scrollTop === 0, null, { timeout: 3000 });
    // In the list the arrows still move between items.
    await page.keyboard.press('Escape');
    await page.keyboard.press('ArrowUp');
    await page.waitForFunction(() => document.querySelector('[data-testid="row"][aria-selected="true"]')?.textContent.includes('A long HTML letter'), null, { timeout: 3000 });
    assert.deepEqual(pageErrors, [], 'page errors');
    await page.close();
  } finally {
    await app.stop();
  }
});
