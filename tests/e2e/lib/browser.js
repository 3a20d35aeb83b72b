// Browser helpers: open a link, audit it with axe-core, keep a screenshot.
import assert from 'node:assert/strict';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { screenshots } from './stack.js';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** A fresh browser context with a phone-sized viewport (the pages are mobile-first); dialogs fail the test. */
export async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.dialogs = [];
  page.on('dialog', async (dialog) => {
    page.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  return page;
}

/** Runs axe on the page (frames included), saves a full-page screenshot and asserts no serious or critical violations. */
export async function audit(page, name) {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const describe = (v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`;
  const minor = results.violations.filter((v) => !blocking.includes(v));
  if (minor.length > 0) console.log(`axe on ${name}, not blocking:\n  ${minor.map(describe).join('\n  ')}`);
  assert.deepEqual(blocking.map(describe), [], `axe found serious or critical violations on ${name}`);
  return results;
}

/** Checks the headers every client page must send. */
export function assertPageHeaders(response) {
  const h = response.headers();
  assert.match(h['content-security-policy'] ?? '', /default-src 'none'/);
  assert.match(h['content-security-policy'] ?? '', /frame-ancestors 'none'/);
  assert.match(h['content-security-policy'] ?? '', /form-action 'self'/);
  assert.equal(h['referrer-policy'], 'no-referrer');
  assert.equal(h['x-content-type-options'], 'nosniff');
  assert.match(h['cache-control'] ?? '', /no-store/);
  assert.match(h['content-type'] ?? '', /text\/html/);
}

export async function h1(page) {
  return (await page.locator('h1').innerText()).trim();
}

/** Submits the page's form with the given button and returns the response of the resulting navigation. */
export async function submit(page, buttonName) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('button', { name: buttonName }).click(),
  ]);
  return response;
}
