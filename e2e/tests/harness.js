// harness.js starts the dev-tagged Lull binary under Xvfb with its own D-Bus
// session and drives its frontend in Debian's Chromium through playwright-core.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..', '..');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const devBin = path.resolve(here, '..', process.env.LULL_DEV_BIN || '../build/bin/lull-dev');

/** missingTools lists the real parts (Chromium, the dev binary, Xvfb, D-Bus) that are not installed. */
export function missingTools() {
  const missing = [];
  if (!existsSync(chromiumPath)) missing.push(`chromium (${chromiumPath})`);
  if (!existsSync(devBin)) missing.push(`dev binary (${devBin}; run make build-dev)`);
  for (const tool of ['xvfb-run', 'dbus-run-session']) {
    if (!which(tool)) missing.push(tool);
  }
  return missing;
}

/** requireTools fails in CI, and skips locally with a hint, when a real part is missing. */
export function requireTools(t) {
  const missing = missingTools();
  if (missing.length === 0) return true;
  const msg = `missing ${missing.join(', ')}: run make deps-test`;
  if (process.env.CI) throw new Error(msg);
  t.skip(msg);
  return false;
}

function which(cmd) {
  return (process.env.PATH || '').split(':').some((d) => existsSync(path.join(d, cmd)));
}

export function tempDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lull-e2e-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitForPort(port, proc, timeoutMs = 20000, pollMs = 100) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`lull-dev exited with ${proc.exitCode}`);
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`lull-dev did not listen on ${port} within ${timeoutMs} ms`);
}

/** now is the wall clock in milliseconds with sub-millisecond precision, comparable with a page's performance.timeOrigin + performance.now(). */
export function now() {
  return performance.timeOrigin + performance.now();
}

/**
 * startApp runs lull-dev in its own process group on dataDir and returns
 * {url, stop, spawnedAt, listeningAt} (times from now()). extraArgs go
 * after the Wails dev flags; pollMs is how often the port is tried;
 * assetDir is the built frontend it serves. Without desktop it gets an
 * Xvfb and a D-Bus session of its own (xvfb-run, dbus-run-session); with a
 * desktop from startDesktop it runs in that one, as on a logged-in machine.
 */
export async function startApp(dataDir, { args = ['--demo'], env = {}, pollMs = 100, assetDir = path.join(repo, 'frontend', 'dist'), desktop = null } = {}) {
  const port = await freePort();
  const logs = [];
  const lull = [devBin, '-devserver', `127.0.0.1:${port}`, '-assetdir', assetDir,
    '--data', path.join(dataDir, 'data'), '--config', path.join(dataDir, 'config.toml'), ...args];
  const [cmd, ...argv] = desktop ? lull : ['xvfb-run', '-a', '-s', '-screen 0 1280x800x24', 'dbus-run-session', '--', ...lull];
  const spawnedAt = now();
  const proc = spawn(cmd, argv, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // LULL_DEV_BLANK_WINDOW: lull-dev's own WebKitGTK window shows a blank
    // page, so the frontend runs once, in the page under test, as on a
    // user's machine; its copy in that window would refresh after every
    // change too and take the CPU the page is timed on.
    env: { ...process.env, LULL_DEMO_INTERVAL: '1h', LULL_DEV_BLANK_WINDOW: '1', ...(desktop?.env || {}), ...env },
  });
  proc.stdout.on('data', (d) => logs.push(d.toString()));
  proc.stderr.on('data', (d) => logs.push(d.toString()));
  try {
    await waitForPort(port, proc, 20000, pollMs);
  } catch (err) {
    killGroup(proc);
    throw new Error(`${err.message}\n${logs.join('')}`);
  }
  const listeningAt = now();
  return {
    url: `http://127.0.0.1:${port}/`,
    logs,
    spawnedAt,
    listeningAt,
    stop: async () => {
      // SIGTERM lets Lull close its store cleanly; the whole group goes.
      // xvfb-run may exit before lull-dev has let go of its store, so wait
      // for the whole group: a restart on the same data folder must not
      // find the old process still holding it.
      killGroup(proc, 'SIGTERM');
      if (!(await groupGone(proc, 10000))) {
        killGroup(proc, 'SIGKILL');
        await groupGone(proc, 5000);
      }
    },
  };
}

/** groupGone waits up to ms for every process of proc's group to exit. */
async function groupGone(proc, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      process.kill(-proc.pid, 0);
    } catch {
      return true; // ESRCH: nobody left in the group
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * startDesktop starts an Xvfb display and a D-Bus session bus that outlive
 * the apps started in them, as a logged-in desktop does: a benchmark of
 * Lull's start then does not count the display server's. It returns
 * {env, stop}; env holds DISPLAY and DBUS_SESSION_BUS_ADDRESS.
 */
export async function startDesktop() {
  const firstLine = (stream, what, proc) => new Promise((resolve, reject) => {
    let buf = '';
    stream.on('data', (d) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl).trim());
    });
    proc.on('exit', (code) => reject(new Error(`${what} exited with ${code} before it was ready`)));
    setTimeout(() => reject(new Error(`${what} was not ready within 10 s`)), 10000).unref();
  });
  // -displayfd: Xvfb picks a free display and writes its number once ready.
  const x = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'],
    { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  let bus = null;
  const stop = async () => {
    for (const p of [bus, x]) {
      if (!p) continue;
      killGroup(p, 'SIGTERM');
      await groupGone(p, 5000);
    }
  };
  try {
    const display = ':' + (await firstLine(x.stdio[3], 'Xvfb', x));
    bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    const address = await firstLine(bus.stdout, 'dbus-daemon', bus);
    return { env: { DISPLAY: display, DBUS_SESSION_BUS_ADDRESS: address }, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function killGroup(proc, sig = 'SIGKILL') {
  try { process.kill(-proc.pid, sig); } catch { /* already gone */ }
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * newPage makes a blank page of the window's size that collects page errors
 * (all but the dev overlay's known null-nodes error from /wails/ipc.js), with
 * initScript (a function or source) set to run before the page's own scripts.
 */
export async function newPage(browser, { initScript } = {}) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 780 } });
  const errors = [];
  page.on('pageerror', (err) => {
    if (String(err.stack || '').includes('/wails/ipc.js')) return;
    errors.push(err);
  });
  if (initScript) await page.addInitScript(initScript);
  return { page, errors };
}

/**
 * openPage loads the app and waits for the bound services. Page errors fail
 * the test, except the dev overlay's known null-nodes error from /wails/ipc.js.
 * initScript (a function or source) runs in the page before its own scripts.
 */
export async function openPage(browser, url, { initScript } = {}) {
  const { page, errors } = await newPage(browser, { initScript });
  await page.goto(url);
  await page.waitForFunction(() => window.go?.app?.Inbox?.List && window.go?.app?.Workspace?.Status, null, { timeout: 20000 });
  return { page, errors };
}

/**
 * prepare checks the real parts and gives the test a temp folder removed
 * when it ends; it returns null when the test was skipped (locally only).
 */
/**
 * seedMaildir copies the .eml files of fixtures (in name order) into a
 * Maildir under dir and writes dir/config.toml with a maildir account of
 * that name syncing all of it. It returns how many messages it copied.
 */
export function seedMaildir(dir, fixtures, account) {
  const md = path.join(dir, 'Mail');
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(path.join(md, sub), { recursive: true });
  const files = readdirSync(fixtures).filter((f) => f.endsWith('.eml')).sort();
  files.forEach((f, i) => copyFileSync(path.join(fixtures, f), path.join(md, 'cur', `${1700000000 + i}.M${i}P1.lull-${account}:2,`)));
  writeFileSync(path.join(dir, 'config.toml'), `[accounts.${account}]\nkind = "maildir"\npath = ${JSON.stringify(md)}\nsync_days = 0\n`);
  return files.length;
}

export function prepare(t, browser) {
  if (!requireTools(t)) return null;
  if (!browser) throw new Error('chromium did not start');
  const tmp = tempDir();
  t.after(tmp.remove);
  return tmp.dir;
}

/**
 * withApp starts lull-dev on dir, opens the window's page, runs fn(page),
 * then checks that the page threw nothing and tears everything down.
 */
export async function withApp(browser, dir, opts, fn) {
  const app = await startApp(dir, opts);
  try {
    const { page, errors } = await openPage(browser, app.url);
    await fn(page);
    if (errors.length) throw new Error(`page errors: ${errors.map(String).join('\n')}`);
    await page.close();
  } catch (err) {
    // The app's own log says what it was doing when the test gave up.
    const log = app.logs.join('').split('\n').filter((l) => /level=|lull:/.test(l)).slice(-40).join('\n');
    if (err instanceof Error && log) err.message += `\n--- the app's log, last lines:\n${log}`;
    throw err;
  } finally {
    await app.stop();
  }
}

/** noMouse replaces the page's mouse with one that fails the test: for keyboard-only tests. */
export function noMouse(page) {
  for (const m of ['click', 'dblclick', 'down', 'up', 'move', 'wheel']) {
    page.mouse[m] = () => { throw new Error(`mouse.${m} used in a keyboard-only test`); };
  }
}

/**
 * settled waits until every account is idle, the search index has taken in
 * every item as it is now (it follows the store a moment behind), and the
 * Inbox on screen shows what the backend holds: the rows drawn carry the ids
 * the backend lists at their places. Only then do rows stop moving under the
 * keys; a fixed pause after "idle" is not enough on a loaded machine, where
 * the last items:changed refresh can land later.
 */
export async function settled(page, { timeout = 60000 } = {}) {
  await waitUntil(page, async () => {
    const st = await window.go.app.Workspace.Status();
    // No accounts yet (the engine not started) is not idle: every() of none is true.
    if (st.accounts.length === 0 || !st.accounts.every((a) => a.state === 'idle')) return false;
    if ((await window.go.app.Search.Backlog()) !== 0) return false;
    const shown = [...document.querySelectorAll('[data-testid="row"][data-id]')]
      .map((el) => ({ at: Number(el.id.replace(/\D/g, '')), id: el.getAttribute('data-id') }))
      .sort((a, b) => a.at - b.at);
    if (shown.length === 0) return false;
    const from = shown[0].at;
    const p = await window.go.app.Inbox.List({ state: 'inbox', threads: true, offset: from, limit: shown[shown.length - 1].at - from + 1 });
    return shown.every((s) => p.items[s.at - from]?.id === s.id);
  }, null, { timeout, polling: 250 });
}

/**
 * waitUntil polls fn(arg) in the page until it returns something truthy, as
 * page.waitForFunction does for a plain function. An async fn must come
 * here: waitForFunction takes the promise an async function returns for a
 * truthy answer and resolves at once, so its wait would wait for nothing.
 */
export async function waitUntil(page, fn, arg = null, { timeout = 5000, polling = 100 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(fn, arg)) return;
    if (Date.now() > deadline) throw new Error(`waitUntil: timed out after ${timeout} ms waiting for ${fn.toString().replace(/\s+/g, ' ').slice(0, 160)}`);
    await new Promise((r) => setTimeout(r, polling));
  }
}
