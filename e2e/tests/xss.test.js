// The hostile-email corpus (e2e/fixtures/xss/*.eml) in the real reading pane:
// a Maildir account syncs it through the real parser and sanitizer, Chromium
// opens every message with the keyboard, clicks every link in it, and the
// test asserts that no script ran anywhere (a page-level hook stays
// untouched, no dialog opened, a script planted in the live frame stays
// dead), that no frame navigated, that only http, https and mailto addresses
// the message really links to reached Workspace.OpenURL, and that no request
// left for any host but the app's own. Then it loads the images of a benign
// message with `i` and checks that exactly that image was fetched, and
// remembers the sender with `T`.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, prepare, repo, seedMaildir, startApp, waitUntil } from './harness.js';

const corpus = path.join(repo, 'e2e', 'fixtures', 'xss');
const rows = '[data-testid="row"]';
const frame = 'iframe[data-testid="email-frame"]';
// A 1×1 transparent PNG served for the benign message's images.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

let browser;
before(async () => { browser = await launchBrowser().catch(() => null); });
after(async () => { await browser?.close(); });

// Installed before any of the app's scripts: anything that runs a payload
// in this page (or, were the sandbox ever loosened, reaches it from a
// frame) leaves a trace here.
function installHooks() {
  const seen = [];
  Object.defineProperty(window, '__xss', { value: seen, writable: false, configurable: false });
  const record = (what) => (...args) => { seen.push(`${what}: ${args.map(String).join(' ').slice(0, 120)}`); };
  window.alert = record('alert');
  window.confirm = record('confirm');
  window.prompt = record('prompt');
  window.print = record('print');
  const open = window.open;
  window.open = (...args) => { record('open')(...args); return open ? null : null; };
  const fetch0 = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const url = String(input?.url ?? input);
    if (!url.startsWith(location.origin)) record('fetch')(url);
    return fetch0(input, init);
  };
  const xhrOpen = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    if (!String(url).startsWith(location.origin) && !String(url).startsWith('/')) record('xhr')(url);
    return xhrOpen.call(this, method, url, ...rest);
  };
  const beacon = navigator.sendBeacon?.bind(navigator);
  navigator.sendBeacon = (url, data) => { record('beacon')(url); return beacon ? beacon(url, data) : false; };
}

/** selected is the id of the selected row. */
const selected = (page) => page.getAttribute(`${rows}[aria-selected="true"]`, 'data-id');

/** shownItem waits until the pane shows the selected item and returns it. */
async function shownItem(page) {
  const id = await selected(page);
  const item = await page.evaluate((i) => window.go.app.Inbox.Get(i), id);
  if (item.html) {
    // data-ready: the frame's document has loaded and passes keys on (a key
    // pressed while focus is in a frame still loading is the frame's own).
    await page.waitForFunction((title) => {
      const f = document.querySelector('iframe[data-testid="email-frame"]');
      return f?.title === `Message: ${title}` && f.hasAttribute('data-ready');
    }, item.title, { timeout: 5000 });
  } else {
    await page.waitForFunction((t) => document.querySelector('[aria-label="Reading pane"] h1')?.textContent === t, item.title, { timeout: 5000 });
  }
  return item;
}

test('hostile emails: no script runs and no request leaves; i and T load images on request', async (t) => {
  const dir = prepare(t, browser);
  if (!dir) return;
  const n = seedMaildir(dir, corpus, 'hostile');
  const app = await startApp(dir, { args: [] });
  const started = Date.now();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const appHost = new URL(app.url).host;
    const leaks = [];
    const dialogs = [];
    const images = [];
    const pageErrors = [];
    page.on('dialog', (d) => { dialogs.push(`${d.type()}: ${d.message()}`); void d.dismiss(); });
    page.on('pageerror', (err) => { if (!String(err.stack || '').includes('/wails/ipc.js')) pageErrors.push(String(err)); });
    page.on('popup', (p) => leaks.push(`popup ${p.url()}`));
    page.on('request', (req) => {
      const url = req.url();
      if (/^data:image\//i.test(url)) return;
      let host = '';
      try { host = new URL(url).host; } catch { /* not a URL */ }
      if (host === appHost && /^(https?|wss?):$/.test(new URL(url).protocol)) return;
      leaks.push(`${req.resourceType()} ${url}`);
    });
    // Nothing may reach the network; the benign test images are served here.
    await page.route((url) => url.host !== appHost, (route) => {
      const url = route.request().url();
      if (url.startsWith('https://images.lull-test.example/')) {
        images.push(url);
        return route.fulfill({ status: 200, contentType: 'image/png', body: PNG });
      }
      return route.abort('blockedbyclient');
    });
    await page.addInitScript(installHooks);
    await page.goto(app.url);
    await page.waitForFunction(() => window.go?.app?.Inbox?.List && window.go?.app?.Reader?.AllowImages, null, { timeout: 20000 });
    await waitUntil(page, async (want) => (await window.go.app.Inbox.Counts()).inbox === want, n, { timeout: 30000 });
    await page.waitForSelector(rows, { timeout: 10000 });
    // Links clicked in the frame go to the system browser through
    // Workspace.OpenURL: record them instead.
    await page.evaluate(() => {
      window.__opened = [];
      window.go.app.Workspace.OpenURL = (u) => { window.__opened.push(u); return Promise.resolve(); };
    });
    page.on('framenavigated', (f) => { if (f !== page.mainFrame() && f.url() !== 'about:srcdoc') leaks.push(`frame navigated to ${f.url()}`); });

    // Open the newest message, then walk the whole list with j.
    await page.keyboard.press('Enter');
    const seen = new Map();
    for (let i = 0; i < n; i++) {
      const item = await shownItem(page);
      seen.set(item.title, item);
      if (item.html) {
        const f = await page.$(frame);
        // Same origin (so the window can listen to clicks), nothing else: no scripts, forms, popups or navigation.
        assert.equal(await f.getAttribute('sandbox'), 'allow-same-origin', `${item.title}: the frame's sandbox is not the strict one`);
        const srcdoc = await f.getAttribute('srcdoc');
        assert.match(srcdoc.slice(0, 200), /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:;/, `${item.title}: no CSP first in the frame`);
        // Parsed inertly (DOMParser runs and loads nothing), the frame's
        // document has no script, handler, link target or remote address.
        const live = await page.evaluate((html) => {
          const doc = new DOMParser().parseFromString(html, 'text/html');
          const bad = [];
          for (const el of doc.querySelectorAll('*')) {
            if (/^(script|iframe|object|embed|form|base|link|svg|math)$/i.test(el.tagName)) bad.push(el.tagName);
            if (el.tagName === 'META' && !/^(Content-Security-Policy|)$/i.test(el.getAttribute('http-equiv') ?? '')) bad.push('meta ' + el.getAttribute('http-equiv'));
            for (const a of el.attributes) {
              if (/^(on|href$|srcset$|background$|action$|formaction$|poster$|ping$)/i.test(a.name)) bad.push(`${el.tagName} ${a.name}`);
              if (a.name === 'src' && !/^data:image\//i.test(a.value)) bad.push(`${el.tagName} src=${a.value}`);
            }
          }
          return bad;
        }, srcdoc);
        assert.deepEqual(live, [], `${item.title}: live markup in the frame document`);
        // The frame's listeners are on once its document for this message has loaded.
        await page.waitForSelector(`${frame}[data-ready]`, { timeout: 5000 });
        await clickEveryLink(page, item);
        await plantScripts(page, item.title);
      }
      // Give anything that would load or run a moment to do it.
      await page.waitForTimeout(150);
      if (i < n - 1) await page.keyboard.press('j');
    }
    await page.waitForTimeout(500);
    assert.equal(seen.size, n, `opened ${seen.size} of ${n} messages`);

    // The message's own text never enters the window's document: nothing in
    // the page outside the frame carries a handler or a remote image.
    const live = await page.evaluate(() => {
      const bad = [];
      for (const el of document.querySelectorAll('*')) {
        for (const a of el.attributes) {
          if (/^on/i.test(a.name)) bad.push(`${el.tagName} ${a.name}`);
          if (/^(src|href|srcset|background|poster|action|formaction)$/i.test(a.name) && /^\s*(javascript|data:text|vbscript)/i.test(a.value)) bad.push(`${el.tagName} ${a.name}=${a.value}`);
        }
        if (el.tagName === 'SCRIPT' && !/\/assets\/|\/wails\//.test(el.src)) bad.push(`script ${el.src || el.textContent.slice(0, 40)}`);
      }
      return bad;
    });
    assert.deepEqual(live, [], 'live markup in the window document');
    assert.deepEqual(await page.evaluate(() => window.__xss), [], 'a script ran: the hook recorded it');
    // Every link of every message was clicked: only real web and mail
    // links of the corpus were handed over, each once per click.
    const opened = await page.evaluate(() => window.__opened);
    assert.ok(opened.length > 0, 'no link opened at all');
    for (const u of opened) assert.match(u, /^(https:\/\/|mailto:)[^\s]*lull-test\.example/, `OpenURL got ${u}`);
    assert.ok(opened.includes('https://safe.lull-test.example/ok'), '03: the one real link did not open');
    assert.deepEqual(dialogs, [], 'a dialog opened');
    assert.deepEqual(leaks, [], 'a request left for another host');
    assert.deepEqual(images, [], 'an image loaded before i');

    // The quiet line counts the blocked images of the tracking newsletter.
    const shop = seen.get('07 remote images and a tracking pixel');
    assert.equal(shop.remoteImages, 4, 'remote images counted at sync');

    // i on the benign message loads exactly its one image, nothing else.
    const first = '14 Welcome to the calm inbox';
    await goTo(page, first, seen);
    const line = page.locator('[data-testid="reader-line"]');
    assert.equal(await line.textContent().then((s) => s.trim()), '1 remote image blocked (trackers) · i load · T always from sender');
    await page.keyboard.press('i');
    await page.waitForFunction(() => document.querySelector('[data-testid="reader-line"]')?.textContent.includes('shown for this message'), null, { timeout: 5000 });
    await waitForImages(images, 1);
    assert.deepEqual(images, ['https://images.lull-test.example/welcome.png']);
    assert.match(await page.getAttribute(frame, 'srcdoc'), /img-src data: https:;/);

    // T remembers the sender: its next message loads images without asking.
    await page.keyboard.press('T');
    await page.waitForFunction(() => document.querySelector('[data-testid="reader-line"]')?.textContent.includes('always load'), null, { timeout: 5000 });
    assert.equal(await page.evaluate(() => window.go.app.Reader.ImagesAllowed('hello@newsletter.lull-test.example')), true);
    await goTo(page, '15 Second issue from the same sender', seen);
    await waitForImages(images, 2);
    assert.deepEqual(images, ['https://images.lull-test.example/welcome.png', 'https://images.lull-test.example/second.png']);
    assert.match(await line.textContent(), /always loaded from this sender/);

    // L lists the links; Enter hands the chosen one to Workspace.OpenURL.
    await goTo(page, first, seen);
    await page.evaluate(() => { window.__opened.length = 0; });
    await page.keyboard.press('L');
    await page.waitForSelector('[data-testid="link-list"]');
    const listed = await page.$$eval('[data-testid="link-list"] li .url', (els) => els.map((e) => e.textContent));
    assert.deepEqual(listed, ['lull-test.example/docs/images', 'help@lull-test.example']);
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="link-list"]', { state: 'detached' });
    assert.deepEqual(await page.evaluate(() => window.__opened), ['mailto:help@lull-test.example']);

    // After all that, nothing else ran or left: only the images asked for.
    assert.deepEqual(await page.evaluate(() => window.__xss), []);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(leaks.filter((l) => !l.startsWith('image https://images.lull-test.example/')), []);
    assert.deepEqual(pageErrors, [], 'page errors');
    t.diagnostic(`${n} messages opened and checked in ${Date.now() - started} ms`);
    await page.close();
  } finally {
    await app.stop();
  }
});

/**
 * clickEveryLink clicks each <a> and <area> in the shown message's frame with
 * the mouse, then checks that the frame kept its document and that whatever
 * reached OpenURL is one of the message's own http, https or mailto links.
 */
async function clickEveryLink(page, item) {
  const before = await page.evaluate(() => window.__opened.length);
  await page.evaluate((sel) => { document.querySelector(sel).contentDocument.documentElement.dataset.testMark = 'kept'; }, frame);
  const count = await page.evaluate((sel) => document.querySelector(sel).contentDocument.querySelectorAll('a, area').length, frame);
  for (let i = 0; i < count; i++) {
    const r = await page.evaluate(([sel, k]) => {
      const el = document.querySelector(sel).contentDocument.querySelectorAll('a, area')[k];
      el.scrollIntoView({ block: 'center' });
      const b = el.getBoundingClientRect();
      return b.width > 0 && b.height > 0 ? { x: b.left + b.width / 2, y: b.top + b.height / 2 } : null;
    }, [frame, i]);
    // A refused link's note above the frame moves it: measure every time.
    const box = await page.locator(frame).boundingBox();
    if (r && r.y >= 0 && r.y < box.height) await page.mouse.click(box.x + r.x, box.y + r.y);
  }
  await page.waitForTimeout(100);
  const state = await page.evaluate(([sel, from]) => {
    const doc = document.querySelector(sel).contentDocument;
    return { url: doc.URL, mark: doc.documentElement.dataset.testMark, opened: window.__opened.slice(from) };
  }, [frame, before]);
  assert.equal(state.url, 'about:srcdoc', `${item.title}: the frame navigated`);
  assert.equal(state.mark, 'kept', `${item.title}: the frame's document was replaced`);
  const own = item.html.match(/href="[^"]*"/g)?.map((h) => h.slice(6, -1).replace(/&amp;/g, '&')) ?? [];
  for (const u of state.opened) {
    assert.match(u, /^(https?:\/\/|mailto:)/i, `${item.title}: OpenURL got ${u}`);
    assert.ok(own.includes(u), `${item.title}: OpenURL got ${u}, not one of the message's links ${own}`);
  }
}

/**
 * plantScripts adds a script and an erroring image with a handler to the
 * live frame document from the window (same origin lets it): the sandbox
 * without allow-scripts and the CSP must keep both dead.
 */
async function plantScripts(page, title) {
  await page.evaluate((sel) => {
    const doc = document.querySelector(sel).contentDocument;
    const s = doc.createElement('script');
    s.textContent = "parent.__xss.push('planted script')";
    doc.body.append(s);
    const img = doc.createElement('img');
    img.setAttribute('onerror', "parent.__xss.push('planted handler')");
    img.src = 'data:image/png;base64,AAAA';
    doc.body.append(img);
    const a = doc.createElement('a');
    a.href = "javascript:parent.__xss.push('planted link')";
    doc.body.append(a);
    a.click();
  }, frame);
  await page.waitForTimeout(100);
  assert.deepEqual(await page.evaluate(() => window.__xss), [], `${title}: a script planted in the frame ran`);
}

/** goTo moves the selection to the message titled title with j and k. */
async function goTo(page, title, seen) {
  for (let step = 0; step < 2 * seen.size; step++) {
    const item = await shownItem(page);
    if (item.title === title) return item;
    const order = await page.$$eval('[data-testid="row"]', (els) => els.map((e) => e.getAttribute('data-id')));
    const want = [...seen.values()].find((it) => it.title === title).id;
    await page.keyboard.press(order.indexOf(want) > order.indexOf(item.id) ? 'j' : 'k');
  }
  throw new Error(`could not reach ${title}`);
}

async function waitForImages(images, count) {
  const deadline = Date.now() + 5000;
  while (images.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300)); // and nothing more arrives
}
