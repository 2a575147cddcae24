// preview-shot: a developer's look at the built frontend. NOT shipped and not
// part of the app: it serves dist/ over loopback, injects a FAKE window.go /
// window.runtime (about 300 generated rows, only in this file), drives the UI
// with the keyboard in headless Chromium, checks the j/j/e/u flow, and saves
// screenshots:
//
//   /tmp/frontend-first-run.png   first run (mode "empty")
//   /tmp/frontend-add-account.png the "Add an account" panel
//   /tmp/frontend-shot.png        the inbox after j j (light)
//   /tmp/frontend-dark.png        the same in the dark palette
//   /tmp/frontend-help.png        the ? overlay
//   /tmp/frontend-empty.png       an empty view
//
// Usage: npm run build && node scripts/preview-shot.mjs
// The real end-to-end tests run against the Go backend (e2e/).

import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function fail(msg) {
  console.error(`preview-shot: ${msg}`);
  process.exit(1);
}

async function waitForChromium() {
  for (let i = 0; i < 120 && !existsSync(CHROMIUM); i++) {
    if (i === 0) console.log(`waiting for ${CHROMIUM} (apt may still be installing it)…`);
    await new Promise((r) => setTimeout(r, 5000));
  }
  if (!existsSync(CHROMIUM)) fail(`${CHROMIUM} not found`);
}

function serve() {
  if (!existsSync(join(DIST, 'index.html'))) fail('dist/index.html missing: run npm run build first');
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(DIST, path));
    if (!file.startsWith(DIST)) {
      res.writeHead(403).end();
      return;
    }
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(DIST, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * installFake runs in the page before the app. It is serialised by
 * Playwright, so it must not close over anything in this module.
 */
function installFake({ mode, rows }) {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = (a) => a[Math.floor(rand() * a.length)];

  const people = [
    ['Maya Lindqvist', 'maya@northwind.io'],
    ['Daniel Okafor', 'daniel.okafor@fabrikam.com'],
    ['Priya Raman', 'priya@contoso.dev'],
    ['Tomás Herrera', 'tomas@herrera.studio'],
    ['Ingrid Solberg', 'ingrid.solberg@fjord.no'],
    ['Kenji Watanabe', 'kenji@tailspin.jp'],
    ['Amelia Clarke', 'amelia.clarke@adatum.co.uk'],
    ['Lena Fischer', 'lena@fischer-design.de'],
    ['Noah Bennett', 'noah@bennett.family'],
    ['Fatima Zahra', 'fatima@atlas-labs.ma'],
  ];
  const email = [
    ['Q3 planning: draft agenda', 'Here is a first pass at the agenda for Thursday. I kept it to three topics so we can actually finish.'],
    ['Re: Contract renewal', 'Legal is fine with the changes to section 4. Can you confirm the start date before I send it over?'],
    ['Invoice #20931 from Tailspin', 'Your invoice for March is attached. Payment is due within 30 days.'],
    ['Lunch next week?', 'It has been too long. Tuesday or Wednesday near the office?'],
    ['Design review notes', 'Thanks everyone for the thoughtful feedback today. Summary and next steps below.'],
    ['Your flight to Lisbon is confirmed', 'Booking reference K7Q2LM. Check-in opens 24 hours before departure.'],
    ['Re: Hiring loop for the platform role', 'I can take the systems design interview on Friday afternoon.'],
    ['Quarterly newsletter', 'What we shipped this quarter, what we learned, and what is next.'],
  ];
  const slack = [
    ['#platform', 'deploy to staging is green again, thanks for the quick fix'],
    ['#design', 'new onboarding flow is up in Figma, would love eyes on step 3'],
    ['DM', 'got a minute to look at the migration plan before standup?'],
    ['#incidents', 'resolved: elevated error rates on the sync service, postmortem tomorrow'],
    ['#general', 'reminder: office is closed on Monday for the holiday'],
  ];
  const github = [
    ['lull/lull#412 Coalesce items:changed events', 'Review requested: emits at most every 200 ms under bursty sync.'],
    ['lull/lull#398 IMAP IDLE reconnect with backoff', 'CI passed. 2 approvals, ready to merge.'],
    ['lull/lull#420 Flaky test in engine/backoff_test.go', 'The jitter assertion fails about 1 in 50 runs on CI.'],
    ['lull/lull#377 Store: schema version 3 migration', 'Commented: can we add a test that opens a v2 store?'],
  ];
  const asana = [
    ['Launch checklist: write release notes', 'Due Friday. Assigned to you by Maya.'],
    ['Customer interviews: synthesize findings', 'Daniel commented: I added the last two transcripts to the folder.'],
    ['Website refresh: review copy for pricing page', 'Task completed by Priya. 3 subtasks remain.'],
  ];

  const BODY = `Hi,

Thanks for sending this over. A few thoughts before Thursday:

1. Let's keep the first half for decisions and leave updates for the doc.
2. The numbers in the second table look off by a week; can you check?
3. I'd love to hear from the support team on the onboarding changes.

The full draft is here: https://docs.example.com/d/q3-planning

Best,
Maya

On Tue, Daniel Okafor <daniel.okafor@fabrikam.com> wrote:
> Sharing the first draft of the agenda. Comments welcome,
> especially on the ordering.
>
>> Can we make sure hiring gets a slot this time?`;

  const now = Date.now();
  const all = [];
  let t = now - 4 * 60_000;
  for (let i = 0; i < rows; i++) {
    const source = ['email', 'slack', 'email', 'github', 'email', 'asana', 'slack', 'email', 'email', 'github', 'email', 'slack', 'email'][i % 13];
    const [name, addr] = pick(people);
    let title, snippet, url, from = name, signals;
    if (source === 'email') [title, snippet] = pick(email);
    if (source === 'slack') {
      const [ch, text] = pick(slack);
      title = ch === 'DM' ? `Direct message` : ch;
      snippet = text;
      signals = ch === 'DM' ? ['dm'] : rand() < 0.3 ? ['mention'] : undefined;
      url = 'https://example.slack.com/archives/C01';
    }
    if (source === 'github') {
      [title, snippet] = pick(github);
      from = pick(['octo-ci', 'Kenji Watanabe', 'Priya Raman']);
      signals = snippet.startsWith('Review') ? ['review_requested'] : undefined;
      url = 'https://github.com/lull/lull/pull/412';
    }
    if (source === 'asana') {
      [title, snippet] = pick(asana);
      url = 'https://app.asana.com/0/1/2';
    }
    const account = source === 'email' ? (i % 3 ? 'work' : 'personal') : source;
    all.push({
      id: `${account}/${1000 + i}`,
      account,
      source,
      from,
      addr,
      title,
      snippet,
      received: new Date(t).toISOString(),
      threadCount: rand() < 0.25 ? 2 + Math.floor(rand() * 6) : 1,
      unread: i < 40 ? rand() < 0.55 : rand() < 0.08,
      state: i < 260 ? 'inbox' : i < 270 ? 'later' : 'done',
      respondBy: i >= 260 && i < 270 ? new Date(now + (i - 263) * 5 * 3600_000).toISOString() : undefined,
      url,
      signals,
    });
    t -= (rand() < 0.7 ? 20 : 300) * 60_000 * rand() + 60_000;
  }

  const listeners = {};
  const emit = (name, data) => (listeners[name] ?? []).forEach((cb) => cb(data));
  const undo = [];
  const calls = [];
  let currentMode = mode;
  let accounts = [];
  const syncing = () => [
    { name: 'sample', kind: 'demo', state: 'syncing', progress: { done: 120, total: 400, phase: 'mail' } },
  ];
  if (mode !== 'empty') accounts = syncing();

  const summary = (r) => ({
    id: r.id, account: r.account, source: r.source, from: r.from, title: r.title, snippet: r.snippet,
    received: r.received, threadCount: r.threadCount, unread: r.unread, state: r.state,
    ...(r.respondBy ? { respondBy: r.respondBy } : {}),
  });
  const visible = () => (currentMode === 'empty' ? [] : all);
  const later = (v) => new Promise((r) => setTimeout(() => r(v), 4));
  const status = () => ({
    mode: currentMode,
    dataDir: '/home/me/.local/share/lull',
    configPath: '/home/me/.config/lull/config.toml',
    accounts,
  });
  const changed = () => setTimeout(() => emit('items:changed', { count: 1 }), 30);

  window.__fake = { calls, all };
  window.runtime = {
    EventsOn(name, cb) {
      (listeners[name] ??= []).push(cb);
      return () => (listeners[name] = listeners[name].filter((x) => x !== cb));
    },
  };
  window.go = {
    app: {
      Inbox: {
        List(q) {
          calls.push(['List', q]);
          if (q.limit > 500) return Promise.reject('limit too large');
          const rows = visible().filter((r) => r.state === q.state && (!q.source || r.source === q.source));
          rows.sort((a, b) => (a.received < b.received ? 1 : -1));
          return later({ items: rows.slice(q.offset, q.offset + q.limit).map(summary), total: rows.length, offset: q.offset });
        },
        Get(id) {
          calls.push(['Get', id]);
          const r = all.find((x) => x.id === id);
          if (!r) return Promise.reject(`no item ${id}`);
          return later({
            id: r.id, account: r.account, source: r.source, thread: r.id, title: r.title,
            from: { name: r.from, addr: r.source === 'email' ? r.addr : undefined },
            to: r.source === 'email' ? [{ name: 'Me', addr: 'me@example.com' }, { name: 'Daniel Okafor' }] : undefined,
            snippet: r.snippet,
            body: r.source === 'email' ? BODY : `${r.snippet}\n\n${r.title}`,
            html: '<p>never rendered yet</p>',
            url: r.url, received: r.received, signals: r.signals,
            attachments: r.source === 'email' && r.threadCount > 3 ? [{ name: 'agenda-q3.pdf', size: 184_320 }] : undefined,
            unread: r.unread,
            triage: { state: r.state, ...(r.respondBy ? { respondBy: r.respondBy } : {}) },
          });
        },
        Counts() {
          const c = { inbox: 0, later: 0, snoozed: 0, done: 0 };
          for (const r of visible()) c[r.state]++;
          return later(c);
        },
      },
      Triage: {
        Run(command, ids) {
          calls.push(['Run', command, ids]);
          const to = { done: 'done', inbox: 'inbox' }[command];
          if (!to) return Promise.reject(`unknown command "${command}"`);
          const before = ids.map((id) => [id, all.find((r) => r.id === id)?.state]);
          ids.forEach((id) => { const r = all.find((x) => x.id === id); if (r) r.state = to; });
          undo.push(before);
          changed();
          return later({ changed: ids, undoDepth: undo.length, message: to === 'done' ? 'Marked 1 item done.' : 'Moved 1 item to Inbox.' });
        },
        Undo() {
          calls.push(['Undo']);
          const last = undo.pop();
          if (!last) return Promise.reject('nothing to undo');
          last.forEach(([id, s]) => { const r = all.find((x) => x.id === id); if (r) r.state = s; });
          changed();
          return later({ changed: last.map(([id]) => id), undoDepth: undo.length, message: 'Undid: done.' });
        },
      },
      Workspace: {
        Status: () => later(status()),
        OpenDemo() {
          currentMode = 'demo';
          accounts = syncing();
          changed();
          return later(status());
        },
        OpenURL(url) {
          calls.push(['OpenURL', url]);
          return later(undefined);
        },
      },
    },
  };
}

async function newPage(browser, mode, colorScheme = 'light') {
  const context = await browser.newContext({ viewport: { width: 1200, height: 780 }, colorScheme });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.on('console', (m) => m.type() === 'error' && errors.push(new Error(m.text())));
  await page.addInitScript(installFake, { mode, rows: 300 });
  await page.goto(url);
  return { page, errors, context };
}

/** state reads what the user sees: the selected row and the pane's title. */
async function state(page) {
  return page.evaluate(() => {
    const sel = document.querySelector('[role=option][aria-selected=true]');
    return {
      index: sel ? Number(sel.id.replace('row-', '')) : -1,
      from: sel?.querySelector('.from')?.textContent ?? '',
      title: document.querySelector('.pane h1')?.textContent ?? '',
      tab: document.querySelector('.tab.current')?.textContent?.replace(/\s+/g, ' ').trim() ?? '',
      total: document.querySelector('.status .total')?.textContent ?? '',
      notice: document.querySelector('.status .left')?.textContent?.replace(/\s+/g, ' ').trim() ?? '',
      active: document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName,
    };
  });
}

function check(cond, msg) {
  if (!cond) fail(`check failed: ${msg}`);
  console.log(`  ok  ${msg}`);
}

await waitForChromium();
const server = await serve();
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});

try {
  // First run.
  {
    const { page, errors, context } = await newPage(browser, 'empty');
    await page.getByText('Explore the sample workspace').waitFor();
    await page.screenshot({ path: '/tmp/frontend-first-run.png' });
    await page.keyboard.press('a');
    await page.getByText('Add an account', { exact: true }).waitFor();
    await page.getByText('password_cmd = "pass show mail/work"', { exact: false }).waitFor();
    await page.screenshot({ path: '/tmp/frontend-add-account.png' });
    await page.keyboard.press('Escape');
    await page.getByText('Explore the sample workspace').waitFor();
    await page.keyboard.press('s');
    await page.locator('[role=option] .from').first().waitFor();
    const s = await state(page);
    check(s.tab.startsWith('Inbox'), `s opens the sample workspace (${s.tab})`);
    check(errors.length === 0, `no page errors on first run ${errors.map(String).join('; ')}`);
    await context.close();
  }

  // The inbox, in both palettes.
  for (const scheme of ['light', 'dark']) {
    const { page, errors, context } = await newPage(browser, 'demo', scheme);
    await page.locator('[role=option] .from').first().waitFor();
    await page.locator('.pane .body').waitFor();
    const s0 = await state(page);
    check(s0.index === 0, `first row selected at start (${s0.from})`);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.locator('.pane .body').waitFor();
    await page.waitForTimeout(150);
    const s1 = await state(page);
    check(s1.index === 2, `j j selects row 2 (${s1.from}: ${s1.title})`);
    if (scheme === 'dark') {
      await page.screenshot({ path: '/tmp/frontend-dark.png' });
      check(errors.length === 0, 'no page errors in dark mode');
      await context.close();
      continue;
    }
    await page.screenshot({ path: '/tmp/frontend-shot.png' });

    const rowTitle = (i) => page.locator(`#row-${i} .title`).textContent();
    const third = await page.locator('#row-2 .from').textContent();
    const fourth = await page.locator('#row-3 .from').textContent();
    const fourthTitle = await rowTitle(3);
    await page.keyboard.press('e');
    await page.waitForTimeout(200);
    const s2 = await state(page);
    check(s2.index === 2 && s2.from === fourth && (await rowTitle(2)) === fourthTitle, `e marks done and selects the next row (${third} → ${s2.from})`);
    check(/259 items/.test(s2.total), `the list shrank by one (${s2.total})`);
    check(/done/i.test(s2.notice) && /undo/.test(s2.notice), `the status bar says so (${s2.notice})`);
    const run = await page.evaluate(() => window.__fake.calls.filter((c) => c[0] === 'Run'));
    check(run.length === 1 && run[0][1] === 'done', 'Triage.Run("done", [id]) was called once');

    await page.keyboard.press('u');
    await page.waitForTimeout(200);
    const s3 = await state(page);
    check(s3.index === 2 && s3.from === third, `u restores the item and selects it (${s3.from})`);
    check(/260 items/.test(s3.total), `the list grew back (${s3.total})`);

    await page.keyboard.press('u');
    await page.waitForTimeout(100);
    check(/Nothing to undo/.test((await state(page)).notice), 'a second u says there is nothing to undo');

    await page.keyboard.press('Enter');
    await page.waitForTimeout(50);
    check((await state(page)).active === 'Reading pane', 'Enter focuses the reading pane');
    await page.keyboard.press('j');
    await page.waitForTimeout(100);
    const s4 = await state(page);
    check(s4.index === 3 && s4.active === 'Reading pane', 'j in the pane moves to the next item');
    await page.keyboard.press('Escape');
    await page.waitForTimeout(50);
    check((await state(page)).active !== 'Reading pane', 'Escape goes back to the list');

    await page.keyboard.press('Shift+G');
    await page.waitForTimeout(300);
    const s5 = await state(page);
    check(s5.index === 259, `G goes to the last row (${s5.index})`);
    await page.keyboard.press('g');
    await page.keyboard.press('g');
    await page.waitForTimeout(200);
    check((await state(page)).index === 0, 'g g goes to the first row');

    const lists = await page.evaluate(() => window.__fake.calls.filter((c) => c[0] === 'List').map((c) => c[1]));
    check(lists.every((q) => q.limit <= 100), `every List asks for at most 100 rows (${lists.length} calls)`);
    const rendered = await page.locator('[role=option]').count();
    check(rendered < 60, `only ${rendered} rows are in the DOM`);

    await page.keyboard.press('O');
    await page.waitForTimeout(100);

    await page.keyboard.press('Shift+?');
    await page.locator('[role=dialog]').waitFor();
    await page.waitForTimeout(300); // let the fade-in finish
    await page.screenshot({ path: '/tmp/frontend-help.png' });
    await page.keyboard.press('Escape');
    await page.waitForTimeout(100);
    check((await page.locator('[role=dialog]').count()) === 0, 'Escape closes the help overlay');

    await page.keyboard.press('g');
    await page.keyboard.press('l');
    await page.waitForTimeout(200);
    check((await state(page)).tab.startsWith('Later'), 'g l shows Later');
    await page.keyboard.press('g');
    await page.keyboard.press('s');
    await page.getByText('Nothing snoozed.').waitFor();
    await page.screenshot({ path: '/tmp/frontend-empty.png' });
    check(true, 'g s shows the empty Snoozed view');

    await page.keyboard.press('g');
    await page.keyboard.press('i');
    await page.waitForTimeout(200);
    await page.locator('#row-5').click();
    await page.waitForTimeout(100);
    check((await state(page)).index === 5, 'a click selects a row');

    check(errors.length === 0, `no page errors ${errors.map(String).join('; ')}`);
    await context.close();
  }
  console.log('screenshots: /tmp/frontend-first-run.png /tmp/frontend-add-account.png /tmp/frontend-shot.png /tmp/frontend-dark.png /tmp/frontend-help.png /tmp/frontend-empty.png');
} finally {
  await browser.close();
  server.close();
}
