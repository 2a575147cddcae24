// The key probe that scripts/keys-webkit.sh reads in the production window:
// with LULL_KEY_PROBE set, once the first list is painted the backend asks
// the frontend for key times, and prints each one it gets back. The same
// chain runs here against the dev binary, with the keys from Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, prepare, startApp } from './harness.js';

let browser;
before(async () => { browser = await launchBrowser().catch(() => null); });
after(async () => { await browser?.close(); });

const rows = '[data-testid="row"][data-id]';

/** keyLines starts lull-dev on dir with env, presses j five times and returns the key lines it printed. */
async function keyLines(dir, env) {
  const app = await startApp(dir, { env });
  try {
    const { page, errors } = await openPage(browser, app.url);
    await page.waitForSelector(rows, { timeout: 30000 });
    // The probe is asked for once the first list is painted.
    await page.waitForTimeout(1000);
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('j');
      await page.waitForTimeout(150);
    }
    await page.waitForTimeout(500);
    if (errors.length) throw new Error(`page errors: ${errors.map(String).join('\n')}`);
    return app.logs.join('').split('\n').filter((l) => l.startsWith('lull: key'));
  } finally {
    await app.stop();
  }
}

test('LULL_KEY_PROBE prints each key\'s time to the painted frame; without it nothing is timed', async (t) => {
  const dir = prepare(t, browser);
  if (!dir) return;
  const lines = await keyLines(dir, { LULL_KEY_PROBE: '1' });
  assert.ok(lines.includes('lull: key probe on'), `no "probe on" line in ${JSON.stringify(lines)}`);
  const times = lines.map((l) => /^lull: key "j" ([\d.]+) ms \(dom ([\d.]+), frame ([\d.]+)\)$/.exec(l)).filter(Boolean);
  assert.equal(times.length, 5, `want five j times, got ${JSON.stringify(lines)}`);
  for (const [line, ms, dom, frame] of times) {
    // Each time is the whole key, its parts come before its end, and a key takes less than a second.
    assert.ok(Number(ms) > 0 && Number(ms) < 1000, line);
    assert.ok(Number(dom) <= Number(frame) && Number(frame) <= Number(ms), line);
  }

  assert.deepEqual(await keyLines(dir, {}), [], 'keys timed without LULL_KEY_PROBE');
});
