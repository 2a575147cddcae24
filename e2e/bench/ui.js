// ui.js measures the inbox UI on a large store, in Chromium against the dev
// binary (the same parts as the browser tests, see ../tests/harness.js):
//
//   - keypress to next item painted: for each j, k and e the time from the
//     keydown event (its timeStamp, taken when Chromium received the input)
//     to the end of the frame that shows the new selection with its row
//     loaded (a MutationObserver sees the selected row change, then
//     requestAnimationFrame, then a MessageChannel task, which runs once that
//     frame is painted). Keys go through page.keyboard, never the mouse.
//     The run crosses page boundaries of the windowed list (100 rows a
//     page), jumps to the end (G) and walks back, and marks items done (e).
//   - cold start: from spawning lull-dev on the store to the first list row
//     with an item painted, in a blank page made before the spawn (as the
//     production binary's window is), split into spawn → port open →
//     navigation start → DOMContentLoaded → first row painted. Every run
//     shares one Xvfb and D-Bus session started beforehand, as a user's
//     desktop is already running when they launch Lull.
//
// The store is seeded by bench/uiseed; the run works on a copy, because e
// marks items done. Usage (scripts/bench-ui.sh runs it):
//
//   node bench/ui.js --seed /tmp/lull-ui-100k [--presses 300] [--cold-runs 5] [--json out.json]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser, missingTools, newPage, now, openPage, startApp, startDesktop } from '../tests/harness.js';

const GOAL_KEY_P95_MS = 16;
const GOAL_COLD_MS = 1000;

const { values: opt } = parseArgs({
  options: {
    seed: { type: 'string' },
    presses: { type: 'string', default: '300' },
    'cold-runs': { type: 'string', default: '5' },
    gap: { type: 'string', default: '100' },
    assets: { type: 'string' },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (opt.help || !opt.seed) {
  console.error('usage: node bench/ui.js --seed ROOT [--presses 300] [--cold-runs 5] [--gap 100] [--assets DIR] [--json FILE]\n' +
    '  ROOT is a workspace made by `go run ./bench/uiseed -dir ROOT`; the run uses a copy of it.');
  process.exit(opt.help ? 0 : 2);
}
const presses = Number(opt.presses);
const coldRuns = Number(opt['cold-runs']);
const gapMs = Number(opt.gap);
// The built frontend the dev binary serves (default frontend/dist).
const assetDir = opt.assets ? path.resolve(opt.assets) : undefined;

function fail(msg) {
  console.error(`bench-ui: ${msg}`);
  process.exit(2);
}

const missing = missingTools();
if (missing.length) fail(`missing ${missing.join(', ')} (make build-dev; make deps-test)`);
const seed = path.resolve(opt.seed);
if (!existsSync(path.join(seed, 'uiseed.json'))) fail(`${seed} is not a seeded workspace: run go run ./bench/uiseed -dir ${seed}`);
const marker = JSON.parse(readFileSync(path.join(seed, 'uiseed.json'), 'utf8'));

// In-page instruments, installed before the app's scripts run.
function instruments() {
  const wall = () => performance.timeOrigin + performance.now();
  // afterPaint calls fn once the next frame has been painted: rAF runs just
  // before the frame's rendering; a task posted from it runs after.
  const afterPaint = (fn) => requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => fn();
    ch.port2.postMessage(0);
  });
  const B = (window.__bench = { navigationStart: performance.timeOrigin });
  document.addEventListener('DOMContentLoaded', () => { B.domContentLoaded = wall(); });

  // The first list row that shows an item (a placeholder has no data-id).
  const first = new MutationObserver(() => {
    if (B.firstRowInDOM || !document.querySelector('[data-testid="row"][data-id]')) return;
    B.firstRowInDOM = wall();
    first.disconnect();
    afterPaint(() => { B.firstRowPainted = wall(); });
  });
  first.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-id'] });

  const selection = () => {
    const el = document.querySelector('[data-testid="row"][aria-selected="true"]');
    return el ? { slot: el.id, item: el.getAttribute('data-id') || '' } : { slot: '', item: '' };
  };
  B.selection = selection;

  // arm waits for the next keydown; B.pending then resolves once the
  // selection shows another item (a loaded row) and that frame is painted.
  B.arm = () => {
    let t0 = null;
    let keyAt = null;
    let before = null;
    let done = false;
    let obs = null;
    B.pending = new Promise((resolve, reject) => {
      const check = () => {
        if (t0 === null || done) return;
        const s = selection();
        if (!s.item || (s.slot === before.slot && s.item === before.item)) return;
        done = true;
        obs.disconnect();
        const dom = performance.now();
        requestAnimationFrame(() => {
          const raf = performance.now();
          const ch = new MessageChannel();
          ch.port1.onmessage = () => resolve({ t0, key: keyAt, dom, raf, t1: performance.now(), from: before, to: s });
          ch.port2.postMessage(0);
        });
      };
      obs = new MutationObserver(check);
      const onKey = (e) => {
        window.removeEventListener('keydown', onKey, true);
        const t = (keyAt = performance.now());
        // timeStamp is when the input reached the page; guard against a
        // browser that reports it in another time base.
        t0 = e.timeStamp > 0 && e.timeStamp <= t ? e.timeStamp : t;
        before = selection();
        obs.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-selected', 'data-id'] });
      };
      window.addEventListener('keydown', onKey, true);
      setTimeout(() => {
        if (done) return;
        done = true;
        obs.disconnect();
        window.removeEventListener('keydown', onKey, true);
        reject(new Error(`the selection did not move within 5 s (from ${JSON.stringify(before)} to ${JSON.stringify(selection())})`));
      }, 5000);
    });
    B.pending.catch(() => {});
  };
}

function quantile(xs, q) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

function stats(xs) {
  return { n: xs.length, p50: quantile(xs, 0.5), p95: quantile(xs, 0.95), max: xs.length ? Math.max(...xs) : NaN };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(1).padStart(7) : '      -');

/** press sends key and returns the keydown → painted latency in ms. */
async function measure(page, key) {
  await page.evaluate(() => window.__bench.arm());
  await page.keyboard.press(key);
  const r = await page.evaluate(() => window.__bench.pending);
  return { key, ms: r.t1 - r.t0, inputMs: r.key - r.t0, domMs: r.dom - r.t0, rafMs: r.raf - r.t0, to: r.to };
}

async function settle(page, ms) {
  // Let fetches and the reading pane finish, then one more frame.
  await sleep(ms);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
}

async function coldStart(browser, desktop, work, run) {
  // The page exists before the app starts, as the window does in the
  // production binary: the browser's own page set-up is not Lull's start.
  const { page, errors } = await newPage(browser, { initScript: instruments });
  // Let Chromium finish making the page (its renderer process starts now)
  // so that work does not share the two CPUs with Lull's start.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  await sleep(500);
  const app = await startApp(work, { args: [], pollMs: 5, assetDir, desktop });
  try {
    await page.goto(app.url, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__bench?.firstRowPainted, null, { timeout: 30000, polling: 20 });
    const b = await page.evaluate(() => ({ ...window.__bench }));
    if (errors.length) throw new Error(`page errors: ${errors.map(String).join('\n')}`);
    await page.close();
    const r = {
      run,
      totalMs: b.firstRowPainted - app.spawnedAt,
      portMs: app.listeningAt - app.spawnedAt,
      navigationMs: b.navigationStart - app.listeningAt,
      domContentLoadedMs: b.domContentLoaded - b.navigationStart,
      firstRowInDOMMs: b.firstRowInDOM - b.domContentLoaded,
      paintMs: b.firstRowPainted - b.firstRowInDOM,
    };
    return r;
  } finally {
    await app.stop();
  }
}

async function keypresses(browser, desktop, work) {
  const app = await startApp(work, { args: [], assetDir, desktop });
  const samples = [];
  let jumpToEnd = null;
  try {
    const { page, errors } = await openPage(browser, app.url, { initScript: instruments });
    await page.waitForFunction(() => window.__bench?.firstRowPainted, null, { timeout: 30000 });
    // Start-up work (search catch-up, the first item's body) ends first.
    await settle(page, 2000);
    const total = await page.evaluate(async () => (await window.go.app.Inbox.List({ state: 'inbox', threads: true, offset: 0, limit: 1 })).total);
    const run = async (key, n, gap = gapMs) => {
      for (let i = 0; i < n; i++) {
        samples.push(await measure(page, key));
        await sleep(gap);
      }
    };
    // Down across page boundaries (rows 0 → presses), then back up.
    await run('j', presses);
    await run('k', Math.round(presses / 3));
    // The end of the list: G jumps (its page is fetched), then k walks back
    // across the boundary of the last pages.
    const g = await measure(page, 'G');
    jumpToEnd = g.ms;
    await settle(page, 500);
    await run('k', Math.round(presses / 2));
    // Back to the top; e marks done and selects the next item, at a
    // triaging pace.
    await page.keyboard.press('g');
    await page.keyboard.press('g');
    await settle(page, 500);
    await run('e', Math.round(presses / 6), Math.max(gapMs, 250));
    await settle(page, 1000);
    if (errors.length) throw new Error(`page errors: ${errors.map(String).join('\n')}`);
    await page.close();
    return { samples, jumpToEnd, total };
  } finally {
    await app.stop();
  }
}

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lull-bench-ui-'));
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  process.on('SIGINT', () => { cleanup(); process.exit(130); });
  const browser = await launchBrowser();
  // One display and session bus for every run, as on a logged-in desktop:
  // Lull's start is measured, not Xvfb's.
  const desktop = await startDesktop();
  try {
    // The layout startApp expects: DIR/data and DIR/config.toml.
    execFileSync('cp', ['-a', '--reflink=auto', path.join(seed, 'data'), path.join(tmp, 'data')]);
    execFileSync('cp', [path.join(seed, 'config.toml'), path.join(tmp, 'config.toml')]);

    console.error(`bench-ui: cold start, ${coldRuns} runs…`);
    const cold = [];
    for (let i = 0; i < coldRuns; i++) {
      cold.push(await coldStart(browser, desktop, tmp, i + 1));
      console.error(`  run ${i + 1}: ${cold[i].totalMs.toFixed(0)} ms`);
    }
    console.error(`bench-ui: keypresses (${presses} j, ${Math.round(presses / 3)} k, G, ${Math.round(presses / 2)} k at the end, ${Math.round(presses / 6)} e)…`);
    const keys = await keypresses(browser, desktop, tmp);

    const all = keys.samples.map((s) => s.ms);
    const byKey = {};
    for (const k of ['j', 'k', 'e']) byKey[k] = stats(keys.samples.filter((s) => s.key === k).map((s) => s.ms));
    const key = stats(all);
    const coldMed = quantile(cold.map((c) => c.totalMs), 0.5);
    const coldStats = {};
    for (const f of ['totalMs', 'portMs', 'navigationMs', 'domContentLoadedMs', 'firstRowInDOMMs', 'paintMs']) {
      coldStats[f] = quantile(cold.map((c) => c[f]), 0.5);
    }
    const report = {
      items: marker.items,
      listRows: keys.total,
      cpus: os.cpus().length,
      keypress: { ...key, byKey, goalP95Ms: GOAL_KEY_P95_MS, met: key.p95 < GOAL_KEY_P95_MS, jumpToEndMs: keys.jumpToEnd,
        domP95Ms: quantile(keys.samples.map((s) => s.domMs), 0.95), samples: keys.samples },
      coldStart: { runs: cold, median: coldStats, goalMs: GOAL_COLD_MS, met: coldMed < GOAL_COLD_MS },
    };

    const out = [];
    out.push(`UI at ${marker.items.toLocaleString('en')} items (${keys.total.toLocaleString('en')} rows in the Inbox, threads grouped), Chromium + lull-dev, ${report.cpus} CPUs`);
    out.push('keypress → next item painted (ms)      n      p50      p95      max');
    for (const k of ['j', 'k', 'e']) {
      const s = byKey[k];
      out.push(`  ${k}                                ${String(s.n).padStart(5)}  ${fmt(s.p50)}  ${fmt(s.p95)}  ${fmt(s.max)}`);
    }
    out.push(`  all                              ${String(key.n).padStart(5)}  ${fmt(key.p50)}  ${fmt(key.p95)}  ${fmt(key.max)}   goal p95 < ${GOAL_KEY_P95_MS} ms: ${report.keypress.met ? 'met' : 'NOT met'}`);
    out.push(`  (G, jump to the last row and fetch its page: ${keys.jumpToEnd.toFixed(1)} ms; not in the goal)`);
    out.push(`cold start → first list row painted (ms), median of ${cold.length}: ${coldMed.toFixed(0)}   goal < ${GOAL_COLD_MS} ms: ${report.coldStart.met ? 'met' : 'NOT met'}`);
    out.push(`  runs: ${cold.map((c) => c.totalMs.toFixed(0)).join(', ')}`);
    out.push(`  median split: spawn → port open ${coldStats.portMs.toFixed(0)}, → navigation start ${coldStats.navigationMs.toFixed(0)}, → DOMContentLoaded ${coldStats.domContentLoadedMs.toFixed(0)}, → first row in DOM ${coldStats.firstRowInDOMMs.toFixed(0)}, → painted ${coldStats.paintMs.toFixed(0)}`);
    console.log(out.join('\n'));
    if (opt.json) writeFileSync(opt.json, JSON.stringify({ ...report, samples: keys.samples }, null, 2));
  } finally {
    await browser.close();
    await desktop.stop();
    cleanup();
  }
}

main().catch((err) => {
  console.error(`bench-ui: ${err.stack || err}`);
  process.exit(1);
});
