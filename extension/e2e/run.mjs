// End to end in real headless Chromium with the unpacked extension, against a running CoachFlow backend.
//   COACHFLOW_URL=http://127.0.0.1:7071 COACHFLOW_TOKEN=<coach token> npm run test:e2e
// Steps: configure (options page); open a fixture page showing a person and start an engagement from it;
// schedule session 1 and capture its agreement, reloading and reopening the panel mid-draft; see the
// agreement in the detail view; then a second client, driven through the demo program to maintenance, reports a
// trigger: the panel shows "Support requested" and the coach starts the follow-up engagement, then sends the
// client a copy of their data (the emailed link downloads the ZIP). Screenshots at
// side-panel width go to e2e/.output/.

import { createServer } from 'node:http';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const output = join(root, 'e2e', '.output');
const backendUrl = (process.env.COACHFLOW_URL ?? '').replace(/\/+$/, '');
const token = process.env.COACHFLOW_TOKEN ?? '';
// Optional: maildev's web/API address (./coachflow run starts it on http://127.0.0.1:1080). With it, the test
// signs the contract as the client would, from the emailed link, so the engagement can reach its sessions.
const maildevUrl = (process.env.COACHFLOW_MAILDEV_URL ?? '').replace(/\/+$/, '');

if (!backendUrl || !token) {
  console.error(
    'The end-to-end test needs a running CoachFlow backend:\n' +
      '  COACHFLOW_URL    its base URL, e.g. http://127.0.0.1:7071 (start it with ./coachflow run)\n' +
      '  COACHFLOW_TOKEN  a coach personal access token (./coachflow run prints the demo coach token)\n' +
      `Missing: ${[!backendUrl && 'COACHFLOW_URL', !token && 'COACHFLOW_TOKEN'].filter(Boolean).join(', ')}.`,
  );
  process.exit(2);
}

function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // try the next name
    }
  }
  console.error('No Chromium found. Install it (apt-get install -y chromium) or set CHROMIUM_PATH.');
  process.exit(2);
}

const results = [];
let failures = 0;
async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push(name);
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failures++;
    console.log(
      `  ✗ ${name}\n    ${String(error?.stack ?? error)
        .split('\n')
        .slice(0, 6)
        .join('\n    ')}`,
    );
    throw error;
  }
}

// A fixture page showing a person's name and email, unique per run so repeated runs start new clients.
const run = Date.now().toString(36);
const clientEmail = `ana.souza+e2e-${run}@example.com`;
const fixture = (await readFile(join(root, 'test/fixtures/contact-page.html'), 'utf8')).replaceAll(
  'ana.souza@example.com',
  clientEmail,
);
const pages = createServer((req, res) => {
  res.writeHead(req.url === '/client' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
  res.end(req.url === '/client' ? fixture : 'not found');
});
await new Promise((resolve) => pages.listen(0, '127.0.0.1', resolve));
const fixtureUrl = `http://127.0.0.1:${pages.address().port}/client`;

const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Zero serious or critical axe-core violations on the page as it is now (WCAG 2.1 A/AA rules). */
async function expectAccessible(page, what) {
  // Evaluated over the DevTools protocol, so the extension's CSP (script-src 'self') doesn't apply.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  if (violations.length)
    throw new Error(`${what}: accessibility problems:\n      ${violations.join('\n      ')}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The first client link (/c/…) in an email maildev received for this address. */
async function emailedLink(address, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // maildev 3 serves its REST API under /api; older versions at the root.
    let emails = await fetch(`${maildevUrl}/api/email`)
      .then((r) => (r.ok ? r.json() : null))
      .catch(() => null);
    if (!Array.isArray(emails)) {
      emails = await fetch(`${maildevUrl}/email`)
        .then((r) => (r.ok ? r.json() : []))
        .catch(() => []);
    }
    if (!Array.isArray(emails)) emails = [];
    for (const email of emails) {
      if (!(email.to ?? []).some((t) => String(t.address).toLowerCase() === address)) continue;
      const match = `${email.text ?? ''} ${email.html ?? ''}`.match(/https?:\/\/[^\s"'<>]+\/c\/[^\s"'<>]+/);
      if (match) return match[0].replace(/&amp;/g, '&');
    }
    await sleep(500);
  }
  throw new Error(`no email with a client link reached ${address} at ${maildevUrl} in ${timeoutMs / 1000} s`);
}

// The extension under test: dist/ as built, plus host access granted at install. In real use the coach
// grants the server origin when saving Options (chrome.permissions.request) and the page through activeTab
// (clicking the toolbar icon); headless automation can answer neither prompt, so the test copy declares
// the two loopback origins the test uses. Nothing else differs from the shipped build.
await rm(output, { recursive: true, force: true });
await mkdir(output, { recursive: true });
const extension = join(output, 'extension');
await cp(join(root, 'dist'), extension, { recursive: true });
const manifest = JSON.parse(await readFile(join(extension, 'manifest.json'), 'utf8'));
const backendOrigin = `${new URL(backendUrl).protocol}//${new URL(backendUrl).hostname}/*`;
manifest.host_permissions = Array.from(new Set([backendOrigin, 'http://127.0.0.1/*']));
await writeFile(join(extension, 'manifest.json'), JSON.stringify(manifest, null, 2));

const profile = await mkdtemp(join(tmpdir(), 'coachflow-e2e-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath(),
  headless: false, // headless comes from --headless=new below, which (unlike old headless) loads extensions
  viewport: { width: 360, height: 900 },
  args: [
    '--headless=new',
    `--disable-extensions-except=${extension}`,
    `--load-extension=${extension}`,
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

let exitCode = 0;
try {
  console.log(`CoachFlow extension e2e against ${backendUrl}`);
  let worker = context.serviceWorkers()[0];
  if (!worker) worker = await context.waitForEvent('serviceworker', { timeout: 15_000 });
  const extensionId = new URL(worker.url()).host;
  const base = `chrome-extension://${extensionId}`;
  const shot = (page, name) => page.screenshot({ path: join(output, `${name}.png`), fullPage: true });
  const expectText = async (locator, pattern, what) => {
    try {
      await locator.filter({ hasText: pattern }).first().waitFor({ timeout: 15_000 });
    } catch {
      const found = await locator
        .first()
        .innerText({ timeout: 1_000 })
        .catch(() => '(nothing)');
      throw new Error(`${what}: expected ${pattern}, found "${found.slice(0, 300)}"`);
    }
  };

  await step('the side panel asks to configure when nothing is set', async () => {
    // On install the service worker opens Options in a tab; let that land first so it cannot take over
    // the tab the panel is loading in.
    for (let i = 0; i < 50 && !context.pages().some((p) => p.url().startsWith(`${base}/options.html`)); i++)
      await sleep(100);
    const panel = await context.newPage();
    await panel.goto(`${base}/sidepanel.html`);
    await expectText(panel.locator('main h1'), /Welcome to CoachFlow/, 'welcome');
    await panel.close();
  });

  await step('options: a wrong token gets a plain 401 message', async () => {
    const options =
      context.pages().find((p) => p.url().startsWith(`${base}/options.html`)) ?? (await context.newPage());
    if (!options.url().startsWith(`${base}/options.html`)) await options.goto(`${base}/options.html`);
    await options.fill('#server-url', backendUrl);
    await options.fill('#token', 'not-a-real-token');
    await options.click('#save');
    await expectText(
      options.locator('#status'),
      /access token was not accepted/i,
      'status after a bad token',
    );
    await shot(options, '01-options-bad-token');
    await expectAccessible(options, 'options page');
  });

  await step('options: an unreachable server is named plainly', async () => {
    const options = context.pages().find((p) => p.url().startsWith(`${base}/options.html`));
    const closed = createServer();
    await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${closed.address().port}`;
    await new Promise((resolve) => closed.close(resolve));
    await options.fill('#server-url', deadUrl);
    await options.fill('#token', token);
    await options.click('#save');
    await expectText(
      options.locator('#status'),
      /Can't reach the CoachFlow server/,
      'status for a dead server',
    );
    await options.fill('#server-url', backendUrl);
  });

  await step('options: configure server and token; test connection shows the coach', async () => {
    const options = context.pages().find((p) => p.url().startsWith(`${base}/options.html`));
    await options.fill('#token', token);
    await options.click('#save');
    await expectText(options.locator('#status'), /Connected as /, 'status after saving');
    await shot(options, '02-options-connected');
    const stored = await worker.evaluate(async () => ({
      session: await chrome.storage.session.get('token'),
      local: await chrome.storage.local.get('token'),
    }));
    if (!stored.session.token || stored.local.token)
      throw new Error('the token should be in storage.session only');
    await options.close();
  });

  let engagementUrl = '';
  await step('start an engagement from a fixture page showing a person', async () => {
    const client = await context.newPage();
    await client.goto(fixtureUrl);
    const panel = await context.newPage();
    await panel.goto(`${base}/sidepanel.html#/start`);
    await panel.getByRole('button', { name: 'Fill from this page' }).click();
    await panel.waitForFunction(() => document.querySelector('#client-email')?.value.includes('@'), null, {
      timeout: 15_000,
    });
    const name = await panel.inputValue('#client-name');
    const email = await panel.inputValue('#client-email');
    if (name !== 'Ana Souza' || email !== clientEmail) throw new Error(`prefilled ${name} <${email}>`);
    const program = await panel.locator('#program option:not([value=""])').first().getAttribute('value');
    if (!program) throw new Error('no programs offered by the server');
    await panel.selectOption('#program', program);
    await panel.fill('#overall-goals', 'Increase sales by 10% within six months');
    // The server lists the firm's sponsors (./coachflow run seeds one); the coach names the client's sponsor.
    const sponsor = await panel.locator('#sponsor option:not([value=""])').first();
    const sponsorName = (await sponsor.textContent())?.trim();
    if (!sponsorName) throw new Error('no sponsors offered by the server');
    await panel.selectOption('#sponsor', { label: sponsorName });
    await shot(panel, '03-start-prefilled');
    await expectAccessible(panel, 'start engagement');
    await panel.getByRole('button', { name: 'Review and start' }).click();
    await expectText(panel.locator('.confirm dl'), sponsorName, 'the sponsor in the confirmation');
    await panel.locator('#confirm-start').click();
    await panel.waitForURL(/#\/engagement\/[^/?]+\?started=1/, { timeout: 20_000 });
    await expectText(panel.locator('main h1'), /Ana Souza/, 'detail heading');
    engagementUrl = panel.url().split('?')[0];
    await shot(panel, '04-engagement-started');
    await panel.close();
    await client.close();
  });

  if (maildevUrl) {
    await step('the client signs the contract from the emailed link', async () => {
      const page = await context.newPage();
      await page.goto(await emailedLink(clientEmail));
      await page.getByLabel('Your full name').fill('Ana Souza');
      await page.getByLabel(/I have read this agreement/).check();
      await page.getByRole('button', { name: 'Sign the agreement' }).click();
      await page
        .getByRole('heading', { name: /signed/i })
        .first()
        .waitFor({ timeout: 15_000 });
      await page.close();
    });
  } else {
    console.log(
      '  · COACHFLOW_MAILDEV_URL not set: not signing the contract (a backend that needs it will refuse to schedule)',
    );
  }

  await step('the new engagement is in My engagements', async () => {
    const panel = await context.newPage();
    await panel.goto(`${base}/sidepanel.html#/engagements`);
    await panel.locator('ul.cards a', { hasText: 'Ana Souza' }).first().waitFor({ timeout: 15_000 });
    await shot(panel, '05-my-engagements');
    await expectAccessible(panel, 'my engagements');
    await panel.close();
  });

  const sessionUrl = `${engagementUrl}/session/1`;
  await step('schedule session 1', async () => {
    const panel = await context.newPage();
    await panel.goto(sessionUrl);
    const nextWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    await panel.fill('#session-start', `${nextWeek}T09:30`);
    await panel.selectOption('#session-zone', 'Europe/Amsterdam');
    // The engagement moves on asynchronously after the signature, so a first refusal is retried briefly.
    const message = panel.locator('form[aria-label="Schedule the session"] .message');
    let status = '';
    for (let attempt = 0; attempt < 10 && !/Scheduled for/.test(status); attempt++) {
      if (attempt) await sleep(1_000);
      await message.evaluateAll((found) => found.forEach((m) => m.remove()));
      await panel.getByRole('button', { name: /^(Re)?[Ss]chedule$/ }).click();
      await message.first().waitFor({ timeout: 15_000 });
      status = await message.first().innerText();
    }
    if (!/Scheduled for/.test(status)) {
      throw new Error(
        `the server refused to schedule session 1: "${status.trim()}"` +
          (maildevUrl ? '' : ' — set COACHFLOW_MAILDEV_URL so the test can sign the contract first'),
      );
    }
    await panel.close();
  });

  /** Waits until the agreement draft in storage.local holds the text (saves land a few ms after each keystroke). */
  const untilDraftHolds = async (text) => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const held = await worker.evaluate(async (wanted) => {
        const all = await chrome.storage.local.get(null);
        return Object.entries(all).some(
          ([k, v]) => k.startsWith('draft:agreement:') && JSON.stringify(v).includes(wanted),
        );
      }, text);
      if (held) return;
      await sleep(100);
    }
    throw new Error(`the agreement draft never held "${text}"`);
  };

  await step('capture an agreement; reload and reopen the panel mid-draft and find the draft', async () => {
    let panel = await context.newPage();
    await panel.goto(sessionUrl);
    await panel.fill('#grow-goal', 'Decide which two renewable-energy employers to approach first');
    await panel.fill('#grow-reality', 'Applied widely, heard little back');
    await panel.fill('#goal-0-description', 'Shortlist two employers within two weeks');
    await panel.fill('#goal-0-measure', 'Two named companies with a contact each');
    await panel.locator('#draft-status', { hasText: 'Draft saved' }).waitFor({ timeout: 10_000 });
    // "Draft saved" shows after the first save; the saves queue one after another, so wait for the last field.
    await untilDraftHolds('Two named companies with a contact each');

    await panel.reload();
    await panel.locator('#grow-goal').waitFor();
    if (
      (await panel.inputValue('#grow-goal')) !==
      'Decide which two renewable-energy employers to approach first'
    ) {
      throw new Error('draft lost after reloading the panel');
    }
    await expectText(panel.locator('#draft-status'), /Draft restored/, 'draft status after reload');

    await panel.close(); // close the panel mid-draft …
    panel = await context.newPage(); // … and open it again
    await panel.goto(sessionUrl);
    await panel.locator('#goal-0-measure').waitFor();
    if ((await panel.inputValue('#goal-0-measure')) !== 'Two named companies with a contact each') {
      throw new Error('draft lost after closing and reopening the panel');
    }
    const due = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    await panel.fill('#action-0-description', 'Hold 5 informational interviews');
    await panel.fill('#action-0-due', due);
    await panel.fill('#action-0-obstacle', 'Feels awkward to ask');
    await panel.fill('#action-0-mitigation', 'Use a two-line message template');
    await panel.fill('#accountability', 'Friday email to the coach');
    await panel.fill('#takeaways', 'Fewer, better-aimed applications');
    await panel.fill('#private-notes', 'Watch for perfectionism');
    await shot(panel, '06-agreement-draft');
    await expectAccessible(panel, 'session agreement');
    await panel.locator('#submit-agreement').click();
    await panel.waitForURL(/\?agreement=1/, { timeout: 20_000 });
    const drafts = await worker.evaluate(async () =>
      Object.keys(await chrome.storage.local.get(null)).filter((k) => k.startsWith('draft:agreement:')),
    );
    if (drafts.length)
      throw new Error(`the draft should be cleared after success, found ${drafts.join(', ')}`);

    await panel.close();
  });

  await step('the agreement shows in the detail view', async () => {
    const panel = await context.newPage();
    await panel.goto(`${engagementUrl}?agreement=1`);
    await expectText(panel.locator('[role=status]'), /Session 1 agreement captured/, 'success notice');
    await expectText(panel.locator('section'), /Session 1:.*agreement captured/s, 'sessions list');
    await expectText(
      panel.locator('section'),
      /Decide which two renewable-energy employers|Hold 5 informational interviews/,
      'agreement content in timeline or open actions',
    );
    await shot(panel, '07-detail-after-agreement');
    await expectAccessible(panel, 'engagement detail');
    await panel.close();
  });

  await step('the toolbar badge mirrors /api/badge', async () => {
    const panel = await context.newPage();
    await panel.goto(`${base}/sidepanel.html#/engagements`);
    await panel.locator('.badge-line').filter({ hasText: /\S/ }).waitFor({ timeout: 15_000 });
    const badge = await worker.evaluate(() => chrome.action.getBadgeText({}));
    const stored = await worker.evaluate(
      async () => (await chrome.storage.session.get('badgeCount')).badgeCount,
    );
    if (typeof stored !== 'number') throw new Error('badge count was not handed to the service worker');
    if (badge !== (stored > 0 ? (stored > 99 ? '99+' : String(stored)) : ''))
      throw new Error(`badge "${badge}" for count ${stored}`);
    await panel.close();
  });

  if (maildevUrl) {
    // A second client, driven through the whole demo program (coach API + the client's emailed pages, as in
    // tests/e2e), reports a trigger in a maintenance check-in; the coach then works from the side panel.
    const { driveToPlanDraft, answerPage, PLAN } = await import(
      pathToFileURL(join(root, '..', 'tests', 'e2e', 'lib', 'lifecycle.js')).href
    );
    const api = async (method, path, body) => {
      const response = await fetch(`${backendUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let json;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.status, json, text };
    };
    const seen = new Set();
    const supportEmail = `dana.support-${run}@example.com`;
    /** The next unread email to the client whose subject matches, with its link. */
    const inbox = async (subject, timeoutMs = 90_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const emails = await fetch(`${maildevUrl}/api/email`)
          .then((r) => (r.ok ? r.json() : []))
          .catch(() => []);
        const found = (Array.isArray(emails) ? emails : []).find(
          (m) =>
            !seen.has(m.id) &&
            (m.to ?? []).some((t) => String(t.address).toLowerCase() === supportEmail) &&
            subject.test(m.subject ?? ''),
        );
        if (found) {
          seen.add(found.id);
          const link = `${found.text ?? ''} ${found.html ?? ''}`.match(
            /https?:\/\/[^\s"'<>]+\/c\/[^\s"'<>]+/,
          )?.[0];
          return { ...found, link: link?.replace(/&amp;/g, '&') };
        }
        await sleep(500);
      }
      throw new Error(`no email "${subject}" reached ${supportEmail} in ${timeoutMs / 1000} s`);
    };
    let supportId = '';
    await step('a client in maintenance reports a trigger (coach API and emailed pages)', async () => {
      const started = await api('POST', '/api/engagements', {
        clientName: 'Dana Support',
        clientEmail: supportEmail,
        programId: 'demo-accelerated',
        overallGoals: ['A leadership role in renewable energy within 12–18 months'],
      });
      if (started.status !== 201) throw new Error(`starting: ${started.status} ${started.text}`);
      supportId = started.json.id;
      const page = await driveToPlanDraft({
        id: supportId,
        api,
        email: inbox,
        openPage: () => context.newPage(),
      });
      const drafted = await api('POST', `/api/engagements/${supportId}/maintenance-plan`, PLAN);
      if (drafted.status >= 300) throw new Error(`drafting the plan: ${drafted.status} ${drafted.text}`);
      await page.goto((await inbox(/self-coaching plan is ready to review/)).link);
      await Promise.all([
        page.waitForNavigation(),
        page.getByRole('button', { name: 'Confirm my plan' }).click(),
      ]);
      await page.goto((await inbox(/quarterly self-coaching check-in/)).link);
      await page.locator('#f-trigger').fill('My industry is shifting fast and I would like support again.');
      await answerPage(page, 'Send my check-in', { leave: ['trigger'] });
      await page.close();
      for (let i = 0; i < 60; i++) {
        if ((await api('GET', `/api/engagements/${supportId}`)).json?.flags?.includes('support-requested'))
          return;
        await sleep(500);
      }
      throw new Error('the engagement was not flagged support-requested');
    });

    await step(
      'My engagements filters on "Support requested"; the detail shows the flag and offers a follow-up',
      async () => {
        const panel = await context.newPage();
        await panel.goto(`${base}/sidepanel.html#/engagements?flag=support-requested`);
        await panel.locator('ul.cards a', { hasText: 'Dana Support' }).first().waitFor({ timeout: 15_000 });
        await panel.locator('ul.cards a', { hasText: 'Dana Support' }).first().click();
        await expectText(panel.locator('ul.chips li'), /Support requested/, 'flag chip');
        await expectText(
          panel.locator('#follow-up-title'),
          /Dana Support asked for support again/,
          'support callout',
        );
        await shot(panel, '08-support-requested');
        await expectAccessible(panel, 'engagement asking for support');
        await panel.close();
      },
    );

    await step('the coach starts the follow-up engagement in one step (one confirmation)', async () => {
      const panel = await context.newPage();
      await panel.goto(`${base}/sidepanel.html#/engagement/${encodeURIComponent(supportId)}`);
      await panel.locator('#follow-up').click();
      await panel.locator('#confirm-follow-up').waitFor();
      await shot(panel, '09-follow-up-confirm');
      await expectAccessible(panel, 'follow-up confirmation');
      await panel.locator('#confirm-follow-up').click();
      await panel.waitForURL(/#\/engagement\/[^/?]+\?followUpOf=/, { timeout: 20_000 });
      await expectText(panel.locator('[role=status]'), /Follow-up engagement started/, 'follow-up notice');
      await expectText(panel.locator('main h1'), /Dana Support/, 'follow-up heading');
      await expectText(panel.locator('.phase'), /Contract/, 'follow-up phase');
      await shot(panel, '10-follow-up-started');
      const earlier = await api('GET', `/api/engagements/${supportId}`);
      if (earlier.json.flags.includes('support-requested'))
        throw new Error('the support request should be answered by the follow-up');
      await panel.close();
    });

    await step(
      'the coach sends the client a copy of their data; the emailed link downloads a ZIP',
      async () => {
        const panel = await context.newPage();
        await panel.goto(`${base}/sidepanel.html#/engagement/${encodeURIComponent(supportId)}`);
        await panel.locator('#client-copy').click();
        await panel.locator('#confirm-client-copy').waitFor();
        await expectText(
          panel.locator('#client-copy-confirm-title'),
          /Email Dana Support a link to their data\?/,
          'client copy confirmation',
        );
        await shot(panel, '11-client-copy-confirm');
        await expectAccessible(panel, 'client copy confirmation');
        await panel.locator('#confirm-client-copy').click();
        await expectText(
          panel.locator('[aria-labelledby=client-copy-title] [role=status]'),
          /Sent\. Dana Support has an email with the link; it works until/,
          'client copy sent notice',
        );
        await shot(panel, '12-client-copy-sent');
        await panel.close();
        const email = await inbox(/A copy of your coaching records/);
        if (!email.link) throw new Error('the data export email has no link');
        if (/renewable|industry is shifting/i.test(`${email.text ?? ''} ${email.html ?? ''}`))
          throw new Error('the data export email carries the client’s answers; it must carry only the link');
        const page = await context.newPage();
        await page.goto(email.link);
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: 'Download my data' }).click(),
        ]);
        if (!/\.zip$/.test(download.suggestedFilename()))
          throw new Error(`the download is ${download.suggestedFilename()}, not a ZIP`);
        const zip = await readFile(await download.path());
        if (zip.subarray(0, 2).toString('latin1') !== 'PK') throw new Error('the download is not a ZIP file');
        await page.close();
      },
    );
  } else {
    console.log(
      '  · COACHFLOW_MAILDEV_URL not set: not driving a client to maintenance for the follow-up steps',
    );
  }
} catch {
  exitCode = 1;
} finally {
  await context.close();
  await new Promise((resolve) => pages.close(resolve));
  await rm(profile, { recursive: true, force: true });
  console.log(`${results.length} passed, ${failures} failed`);
  process.exitCode = exitCode;
}
