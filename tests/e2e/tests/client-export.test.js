// The client's own copy of their data in Chromium: the coach asks for it, the client opens the emailed link (a page,
// nothing downloaded), presses "Download my data" and gets the ZIP. axe runs on the page; screenshots land in
// tests/e2e/screenshots/40-client-export*.png.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { startStack, startEngagement, step, withLogs } from '../lib/stack.js';
import { newPage, audit, assertPageHeaders, h1 } from '../lib/browser.js';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

test('a client opens their data-export link, reads what the copy holds and downloads it as a ZIP', () => withLogs(stack, async () => {
  const email = `ada.${Date.now()}@example.test`;
  const id = await startEngagement(stack, { programId: 'career-6', clientName: 'Ada Lovelace', clientEmail: email });
  await stack.mail.waitFor(id, 'coaching agreement', { to: email });

  const asked = await stack.api('POST', `/api/engagements/${id}/client-export-link`);
  assert.equal(asked.status, 202, asked.text);
  assert.equal(asked.json.sentTo, "the client's address on the engagement");
  const mail = await stack.mail.waitFor(id, 'A copy of your coaching records', { to: email });
  assert.ok(mail.link, 'the email carries a link');
  assert.doesNotMatch(mail.text, /Increase sales|renewable energy/, 'the email carries no record of the client');

  const page = await newPage(stack.browser);
  const response = await page.goto(mail.link);
  assert.equal(response.status(), 200);
  assertPageHeaders(response);
  assert.equal(await h1(page), 'Download a copy of your coaching records');
  const main = await page.locator('main').innerText();
  assert.match(main, /What the copy holds/);
  assert.match(main, /private notes/);
  await audit(page, '40-client-export');

  step('pressing "Download my data"');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download my data' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^coachflow-export-firm-demo-client-[0-9a-f]{16}-\d{8}-\d{6}\.zip$/);
  const zip = await readFile(await download.path());
  assert.equal(zip.subarray(0, 4).toString('latin1'), 'PK\u0003\u0004', 'a ZIP file');
  assert.ok(zip.includes(Buffer.from(`engagements/${id}/engagement.json`)), 'the engagement is in it');
  // The page stays as it was: the download does not navigate away.
  assert.equal(await h1(page), 'Download a copy of your coaching records');
  await page.setViewportSize({ width: 1280, height: 900 });
  await audit(page, '40-client-export-desktop');
  await page.context().close();
}));
