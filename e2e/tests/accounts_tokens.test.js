// The "Add an account" form for the token kinds, from the keyboard only,
// against the fake GitHub API (e2e/fakes): a wrong token is named as
// refused with the caret in the token field; a typed token without an OS
// keychain is refused with advice to use a command; with a token command
// Ctrl+S saves the account and the inbox fills with its notifications.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, prepare, repo, withApp } from './harness.js';

let browser;
before(async () => { browser = await launchBrowser().catch(() => null); });
after(async () => { await browser?.close(); });

const rows = '[data-testid="row"]';
const form = '[data-testid="add-account"]';
const result = '[data-testid="account-result"]';
const shots = process.env.LULL_SHOT_DIR;

/**
 * startFakes runs e2e/fakes (githubfake and asanafake with a few items) and
 * resolves to {github: {url, token, titles}, asana: {…}}; it stops when the
 * test ends.
 */
async function startFakes(t) {
  const proc = spawn('go', ['run', './e2e/fakes'], { cwd: repo, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  t.after(async () => {
    proc.stdin.end(); // the helper stops its servers
    const exited = await Promise.race([
      new Promise((r) => proc.once('exit', () => r(true))),
      new Promise((r) => setTimeout(() => r(false), 10000)),
    ]);
    if (!exited) try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ }
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fakes helper printed nothing in 120 s\n${err}`)), 120000);
    proc.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try { resolve(JSON.parse(out.slice(0, nl))); } catch (e) { reject(new Error(`fakes helper: ${e.message}: ${out}`)); }
    });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`fakes helper exited with ${code}\n${err}`)); });
  });
}

const activeName = (page) => page.evaluate(() => document.activeElement?.getAttribute('name'));

async function waitForResult(page, step) {
  await page.waitForFunction(({ sel, step }) => document.querySelector(sel)?.dataset.step === step, { sel: result, step }, { timeout: 30000 })
    .catch(async (err) => {
      const shown = await page.locator(result).allTextContents();
      throw new Error(`${err.message}\nform said: ${shown.join(' | ') || '(nothing)'}`);
    });
  return (await page.textContent(result)).trim();
}

test('first run: add a GitHub account by keyboard, see the token refused, save with a token command, and its notifications fill the inbox', async (t) => {
  const dir = prepare(t, browser);
  if (!dir) return;
  const { github } = await startFakes(t);
  await withApp(browser, dir, { args: [] }, async (page) => {
    await page.getByRole('button', { name: /Add an account/ }).waitFor({ timeout: 20000 });
    await page.keyboard.press('a');
    await page.waitForSelector(form);
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'username', null, { timeout: 5000 });

    // Back to the account type; G picks "GitHub notifications".
    await page.keyboard.press('Shift+Tab');
    assert.equal(await activeName(page), 'kind');
    await page.keyboard.press('g');
    assert.equal(await page.inputValue('[name="kind"]'), 'github');
    await page.waitForSelector('[name="token"]');
    assert.equal(await page.$('[name="username"]'), null, 'no IMAP fields on a GitHub account');
    assert.equal(await page.$('[name="folders"]'), null);
    assert.equal(await page.inputValue('[name="name"]'), 'github', 'the name follows the kind');
    assert.equal(await page.inputValue('[name="syncDays"]'), '30', "GitHub's own sync depth");
    assert.equal(await page.inputValue('[name="onDone"]'), 'done', 'done marks the thread done on GitHub by default');

    // A wrong token first.
    await page.keyboard.press('Tab');
    assert.equal(await activeName(page), 'token');
    await page.keyboard.type('ghp_notTheToken');
    await page.keyboard.press('Tab');
    assert.equal(await activeName(page), 'secret');
    await page.keyboard.press('Tab');
    assert.equal(await activeName(page), 'baseUrl');
    await page.keyboard.type(github.url);
    await page.keyboard.press('Control+Enter');
    const refused = await waitForResult(page, 'token');
    assert.match(refused, /^Token refused — create a classic token with the notifications and repo scopes \(docs\/github\.md\)/);
    assert.match(refused, /401 Bad credentials/, "GitHub's own words are shown");
    assert.doesNotMatch(refused, /ghp_notTheToken/);
    assert.equal(await activeName(page), 'token', 'the caret goes to the field to fix');
    assert.equal(await page.getAttribute('[name="token"]', 'aria-invalid'), 'true');
    if (shots) await page.screenshot({ path: path.join(shots, 'add-github-refused.png') });

    // The right token, typed: GitHub takes it.
    await page.keyboard.type(github.token); // the field's text is selected: this replaces it
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction((sel) => document.querySelector(sel)?.classList.contains('ok'), result, { timeout: 30000 });
    assert.match((await page.textContent(result)).trim(), /Token accepted · notifications readable/);
    if (shots) await page.screenshot({ path: path.join(shots, 'add-github.png') });

    // Saving a typed token needs an OS keychain; without a Secret Service
    // the form says to use a command instead.
    await page.keyboard.press('Control+s');
    await page.waitForFunction((sel) => !document.querySelector(sel) || document.querySelector('[data-testid="account-result"]:not(.ok)'),
      form, { timeout: 30000 });
    let viaCommand = false;
    if (await page.$(form)) {
      const keychain = await waitForResult(page, 'keychain');
      assert.match(keychain, /^Keychain — .*no OS keychain to keep the token in.*Switch the token to “Command”/);
      assert.equal(await activeName(page), 'token');
      if (shots) await page.screenshot({ path: path.join(shots, 'add-github-keychain.png') });

      await page.keyboard.press('Tab');
      assert.equal(await activeName(page), 'secret');
      await page.keyboard.press('c');
      await page.keyboard.press('Shift+Tab');
      assert.equal(await activeName(page), 'tokenCmd');
      await page.keyboard.type(`printf %s ${github.token}`);
      await page.keyboard.press('Control+s');
      await page.waitForSelector(form, { state: 'detached', timeout: 30000 });
      viaCommand = true;
    }

    // The form closed on the inbox, where GitHub's two threads arrive.
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 2, rows, { timeout: 30000 });
    const text = (await page.locator(rows).allTextContents()).join('\n');
    for (const title of github.titles) assert.ok(text.includes(title), `the inbox shows “${title}”:\n${text}`);
    const st = await page.evaluate(() => window.go.app.Workspace.Status());
    assert.equal(st.mode, 'accounts');
    assert.deepEqual(st.accounts.map((a) => a.name), ['github']);
    if (shots) await page.screenshot({ path: path.join(shots, 'add-github-inbox.png') });

    const config = readFileSync(path.join(dir, 'config.toml'), 'utf8');
    const cmd = viaCommand ? `token_cmd = "printf %s ${github.token}"\n` : '';
    assert.ok(config.endsWith(`\n[accounts.github]\nkind = "github"\n${cmd}base_url = "${github.url}"\nsync_days = 30\non_done = "done"\n`),
      `config.toml:\n${config}`);
    assert.doesNotMatch(config, /^token\s*=/m, 'a token in config.toml');
  });
});

test('each token kind shows its own fields; Escape cancels', async (t) => {
  const dir = prepare(t, browser);
  if (!dir) return;
  await withApp(browser, dir, { args: [] }, async (page) => {
    await page.getByRole('button', { name: /Add an account/ }).waitFor({ timeout: 20000 });
    await page.keyboard.press('a');
    await page.waitForSelector(form);
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'username', null, { timeout: 5000 });
    await page.keyboard.press('Shift+Tab');

    const names = () => page.$$eval(`${form} form [name]`, (els) => els.map((e) => e.getAttribute('name')));
    await page.keyboard.press('s');
    assert.equal(await page.inputValue('[name="kind"]'), 'slack');
    assert.deepEqual(await names(), ['kind', 'token', 'secret', 'appToken', 'appSecret', 'watched', 'syncDays', 'onDone', 'name']);
    assert.deepEqual(await page.$$eval('[name="onDone"] option', (os) => os.map((o) => o.value)), ['none', 'read']);
    assert.equal(await page.inputValue('[name="syncDays"]'), '14');

    await page.keyboard.press('ArrowUp'); // "Asana task comments" (a letter now would extend the type-ahead "s…")
    assert.equal(await page.inputValue('[name="kind"]'), 'asana');
    assert.deepEqual(await names(), ['kind', 'token', 'secret', 'workspaces', 'syncDays', 'name'], 'Asana writes nothing back: no "When done"');
    assert.equal(await page.inputValue('[name="name"]'), 'asana');

    // A check before anything is sent names the field.
    await page.keyboard.press('Control+Enter');
    await page.waitForSelector(result);
    assert.match(await page.textContent(result), /Paste the Asana token/);
    assert.equal(await activeName(page), 'token');

    await page.keyboard.press('Escape');
    await page.waitForSelector(form, { state: 'detached' });
  });
});
