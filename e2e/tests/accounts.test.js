// The "Add an account" form against a real Dovecot, from the keyboard only:
// a wrong password is named as a Sign-in failure with the caret in the
// password field; a typed password without an OS keychain is refused with
// advice to use a password command; with one, Ctrl+S saves the account and
// the inbox fills with the server's messages.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
 * startDovecot runs e2e/dovecot (a real Dovecot with 5 seeded messages) and
 * resolves to {host, port, user, password}; it stops when the test ends.
 */
async function startDovecot(t) {
  const dovecot = ['/usr/sbin/dovecot', ...(process.env.PATH || '').split(':').map((d) => path.join(d, 'dovecot'))];
  if (!dovecot.some((p) => existsSync(p))) {
    if (process.env.CI) throw new Error('dovecot not installed: run make deps-test');
    t.skip('dovecot not installed: apt install dovecot-imapd');
    return null;
  }
  const proc = spawn('go', ['run', './e2e/dovecot'], { cwd: repo, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  t.after(async () => {
    proc.stdin.end(); // the helper stops Dovecot and removes its files
    const exited = await Promise.race([
      new Promise((r) => proc.once('exit', () => r(true))),
      new Promise((r) => setTimeout(() => r(false), 10000)),
    ]);
    if (!exited) try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ }
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dovecot helper printed nothing in 120 s\n${err}`)), 120000);
    proc.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try { resolve(JSON.parse(out.slice(0, nl))); } catch (e) { reject(new Error(`dovecot helper: ${e.message}: ${out}`)); }
    });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`dovecot helper exited with ${code}\n${err}`)); });
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

test('first run: add an IMAP account by keyboard, see what failed, save, and the inbox fills', async (t) => {
  const dir = prepare(t, browser);
  if (!dir) return;
  const imap = await startDovecot(t);
  if (!imap) return;
  await withApp(browser, dir, { args: [] }, async (page) => {
    await page.getByRole('button', { name: /Add an account/ }).waitFor({ timeout: 20000 });
    await page.keyboard.press('a');
    await page.waitForSelector(form);
    // The caret starts in the e-mail field.
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'username', null, { timeout: 5000 });

    await page.keyboard.type(imap.user);
    await page.keyboard.press('Tab');
    assert.equal(await activeName(page), 'password');
    await page.keyboard.type('not-the-password');
    await page.keyboard.press('Tab'); // where the password comes from: typed
    await page.keyboard.press('Tab');
    assert.equal(await activeName(page), 'host');
    await page.keyboard.type(imap.host);
    await page.keyboard.press('Tab');
    assert.equal(await activeName(page), 'port');
    await page.keyboard.type(String(imap.port));
    await page.keyboard.press('Tab');
    assert.equal(await activeName(page), 'tls');
    await page.keyboard.press('n'); // "None (a server on this computer only)"
    assert.equal(await page.inputValue('[name="tls"]'), 'none');
    assert.equal(await page.inputValue('[name="name"]'), imap.user, 'the account name follows the user name');

    // Ctrl+Enter tests: Dovecot takes a moment to refuse a wrong password,
    // long enough to see the form say it is testing.
    await page.keyboard.press('Control+Enter');
    await page.waitForSelector('[data-testid="account-testing"]', { timeout: 5000 });
    const signIn = await waitForResult(page, 'auth');
    assert.match(signIn, /^Sign-in — the server refused the user name or password/);
    assert.match(signIn, /AUTHENTICATIONFAILED/, 'the server\'s own words are shown');
    assert.equal(await activeName(page), 'password', 'the caret goes to the field to fix');
    assert.equal(await page.getAttribute('[name="password"]', 'aria-invalid'), 'true');
    if (shots) await page.screenshot({ path: path.join(shots, 'add-account.png') });

    // The right password, typed: the connection works, but without a
    // Secret Service there is nowhere to keep it, and the form says so.
    await page.keyboard.type(imap.password); // the field's text is selected: this replaces it
    assert.equal(await page.getAttribute('[name="password"]', 'aria-invalid'), null, 'typing clears the mark');
    await page.keyboard.press('Control+s');
    await page.waitForFunction((sel) => !document.querySelector(sel) || document.querySelector('[data-testid="account-result"]'), form, { timeout: 30000 });
    if (await page.$(form)) {
      const keychain = await waitForResult(page, 'keychain');
      assert.match(keychain, /^Keychain — .*no OS keychain.*Switch the password to “Command”/);
      assert.equal(await activeName(page), 'password');
      if (shots) await page.screenshot({ path: path.join(shots, 'add-account-keychain.png') });

      // A password command instead: Tab to the source, choose Command, back to the field.
      await page.keyboard.press('Tab');
      assert.equal(await activeName(page), 'secret');
      await page.keyboard.press('c');
      await page.keyboard.press('Shift+Tab');
      assert.equal(await activeName(page), 'passwordCmd');
      await page.keyboard.type(`printf %s ${imap.password}`);
      await page.keyboard.press('Control+s');
      await page.waitForSelector(form, { state: 'detached', timeout: 30000 });
    }

    // The form closed on the inbox, where the account syncs its 5 messages.
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 5, rows, { timeout: 30000 });
    const st = await page.evaluate(() => window.go.app.Workspace.Status());
    assert.equal(st.mode, 'accounts');
    assert.deepEqual(st.accounts.map((a) => a.name), [imap.user]);
    if (shots) await page.screenshot({ path: path.join(shots, 'add-account-inbox.png') });
  });
  const config = readFileSync(path.join(dir, 'config.toml'), 'utf8');
  assert.match(config, new RegExp(`\\[accounts\\.${imap.user}\\]\\nkind = "imap"\\nhost = "127\\.0\\.0\\.1"\\nport = ${imap.port}\\ntls = "none"`));
  assert.doesNotMatch(config, /^password\s*=/m, 'a password in config.toml');
});

test('A opens the form from the inbox; an e-mail address fills the server; Escape cancels', async (t) => {
  const dir = prepare(t, browser);
  if (!dir) return;
  await withApp(browser, dir, {}, async (page) => {
    await page.waitForSelector(rows, { timeout: 30000 });
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).getByText('Add an account').first().waitFor();
    await page.keyboard.press('Escape');

    await page.keyboard.press('A');
    await page.waitForSelector(form);
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'username', null, { timeout: 5000 });
    await page.keyboard.type('ada@gmail.com');
    // The provider presets may answer after the address is typed; the form
    // fills the server from them when they do (the note says so).
    await page.waitForSelector('[data-testid="provider-note"]', { timeout: 5000 });
    assert.equal(await page.inputValue('[name="host"]'), 'imap.gmail.com');
    assert.equal(await page.inputValue('[name="port"]'), '993');
    assert.equal(await page.inputValue('[name="tls"]'), 'implicit');
    assert.equal(await page.inputValue('[name="name"]'), 'gmail');
    assert.match(await page.textContent('[data-testid="provider-note"]'), /app password/);
    // A field the user typed is theirs: a new address leaves it alone.
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    assert.equal(await activeName(page), 'host');
    await page.keyboard.press('Control+a');
    await page.keyboard.type('imap.corp.example');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+Tab');
    assert.equal(await activeName(page), 'username');
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('net');
    assert.equal(await page.inputValue('[name="host"]'), 'imap.corp.example');
    if (shots) await page.screenshot({ path: path.join(shots, 'add-account-gmail.png') });

    await page.keyboard.press('Escape');
    await page.waitForSelector(form, { state: 'detached' });
    assert.equal((await page.evaluate(() => window.go.app.Workspace.Status())).mode, 'demo');
  });
});
