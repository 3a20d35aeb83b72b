// Every document kind people read, in real headless Chromium with axe: the whole sample engagement's documents
// (rendered by CoachFlow.Documents.Samples, the same renderer the host uses) on a phone and on a desktop, plus
// their print layout; and each PDF page as an image (pdftoppm). Screenshots land in tests/e2e/screenshots/documents/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { chromiumPath, repo, screenshots } from '../lib/stack.js';
import { audit, newPage } from '../lib/browser.js';

const samples = path.join(repo, 'tests/CoachFlow.Documents.Samples/bin/Release/net10.0/CoachFlow.Documents.Samples.dll');
const shots = path.join(screenshots, 'documents');
let browser;
let folder;

before(async () => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'coachflow-documents-'));
  execFileSync('dotnet', [samples, folder], { stdio: ['ignore', 'pipe', 'inherit'] });
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
});
after(async () => {
  await browser?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

test('every document kind reads well on a phone, passes axe, and prints', async () => {
  const files = readdirSync(folder).filter((f) => f.endsWith('.html')).sort();
  assert.equal(files.length, 43, `every document of the sample engagement: ${files.join(', ')}`);
  const page = await newPage(browser);
  for (const file of files) {
    const name = file.replace(/\.html$/, '');
    await page.goto(pathToFileURL(path.join(folder, file)).href);
    assert.equal(await page.locator('h1').count(), 1, `${name} has one h1`);
    const text = await page.locator('body').innerText();
    assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T|\b(true|false)\b/, `${name} shows no raw timestamp or boolean`);
    // Nothing wider than the phone's screen: no sideways scrolling.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow}px on a phone`);
    await audit(page, `documents/${name}`);
  }
  await page.context().close();
});

test('documents on a desktop and in print', async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  for (const name of ['contract-v1', 'contract-v1-signature', 'intake-answers', 'reassessment-2-report', 'maintenance-plan', 'progress-report', 'session-3-summary']) {
    await page.goto(pathToFileURL(path.join(folder, `${name}.html`)).href);
    await page.screenshot({ path: path.join(shots, `${name}-desktop.png`), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4' });
    assert.ok(pdf.length > 1000, `${name} prints`);
    await page.emulateMedia({ media: 'screen' });
  }
  await context.close();
});

test('each PDF page renders (pdftoppm) and its text extracts (pdftotext)', () => {
  const pdfs = readdirSync(folder).filter((f) => f.endsWith('.pdf')).sort();
  assert.deepEqual(pdfs, ['contract-v1-signed.pdf', 'maintenance-plan.pdf', 'progress-report-reassessment-1.pdf', 'progress-report-reassessment-2.pdf',
    'progress-report.pdf', 'reassessment-1-report.pdf', 'reassessment-2-report.pdf']);
  for (const file of pdfs) {
    const name = file.replace(/\.pdf$/, '');
    const text = execFileSync('pdftotext', [path.join(folder, file), '-'], { encoding: 'utf8' });
    assert.match(text, /Sam Rivera/, `${name} names the client`);
    assert.match(text, /Northwind Coaching/, `${name} carries the firm's name`);
    execFileSync('pdftoppm', ['-r', '60', '-png', path.join(folder, file), path.join(shots, `pdf-${name}`)]);
  }
  assert.ok(readdirSync(shots).filter((f) => f.startsWith('pdf-')).length >= pdfs.length);
});
