// Bad input on the client pages: forged, garbled, expired and replayed links, a form without its CSRF token,
// an oversized form, and a script typed as a name. Every case gets a clear 4xx page and changes nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startStack, startEngagement, engagement, sleep, step, withLogs } from '../lib/stack.js';
import { newPage, audit, assertPageHeaders, h1, submit } from '../lib/browser.js';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

/** Changes one character of a token part (0 = payload, 1 = signature), keeping it valid base64url. */
function tamper(link, part) {
  const [base, token] = link.split('/c/');
  const parts = token.split('.');
  const s = parts[part];
  const i = Math.floor(s.length / 2);
  parts[part] = s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  return `${base}/c/${parts.join('.')}`;
}

async function post(url, fields, headers = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

test('forged, garbled, CSRF-less, oversized, script-laden and replayed signing attempts change nothing', () => withLogs(stack, async () => {
  const email = `grace.${Date.now()}@example.test`;
  const id = await startEngagement(stack, { programId: 'career-6', clientName: 'Grace Hopper', clientEmail: email });
  const mail = await stack.mail.waitFor(id, 'coaching agreement', { to: email });
  const link = mail.link;
  assert.ok(link);
  const before = await engagement(stack, id);
  assert.equal(before.phase, 'contract');
  const unchanged = async (why) => {
    const now = await engagement(stack, id);
    assert.equal(now.phase, 'contract', why);
    assert.equal(now.version, before.version, why);
  };

  const page = await newPage(stack.browser);

  // Forged signature, forged payload, garbled token.
  let response = await page.goto(tamper(link, 1));
  assert.equal(response.status(), 403);
  assertPageHeaders(response);
  assert.equal(await h1(page), 'This link is not valid');
  assert.match(await page.locator('main').innerText(), /ask them to send you a new link/);
  await audit(page, '20-forged-link');
  response = await page.goto(tamper(link, 0));
  assert.equal(response.status(), 403);
  response = await page.goto(`${stack.baseUrl}/c/not-a-token`);
  assert.equal(response.status(), 400);
  assert.equal(await h1(page), 'This link is incomplete');
  await audit(page, '21-malformed-link');
  assert.equal((await post(tamper(link, 1), { 'full-name': 'Mallory', consent: 'yes' })).status, 403);
  await unchanged('forged and garbled links change nothing');

  // A POST without the antiforgery token (what a cross-site form would send) is refused with 400.
  let result = await post(link, { 'full-name': 'Grace Hopper', consent: 'yes' });
  assert.equal(result.status, 400);
  assert.match(result.text, /Please try that again/);
  assert.match(result.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  await unchanged('a form without its CSRF token changes nothing');

  // An oversized form is refused with 413 before anything is read into an input.
  result = await post(link, { 'full-name': 'x'.repeat(300 * 1024), consent: 'yes' });
  assert.equal(result.status, 413);
  assert.match(result.text, /256 KB/);
  await unchanged('an oversized form changes nothing');

  // The real page: a missing consent is explained (400), then a script typed as the name is shown as text.
  response = await page.goto(link);
  assert.equal(response.status(), 200);
  const payload = '<script>alert("name")</script><img src=x onerror=alert("img")>';
  await page.getByLabel('Your full name').fill(payload);
  response = await submit(page, 'Sign the agreement');
  assert.equal(response.status(), 400);
  assert.match(await page.locator('.error-summary').innerText(), /Tick the box to confirm you agree/);
  assert.equal(await page.getByLabel('Your full name').inputValue(), payload, 'the typed name comes back as a value, not markup');
  await audit(page, '22-contract-missing-consent');
  await unchanged('a refused signature changes nothing');

  await page.getByLabel('I have read this agreement and I agree to it.').check();
  response = await submit(page, 'Sign the agreement');
  assert.equal(response.status(), 200);
  assert.equal(await h1(page), 'Your agreement is signed');
  assert.ok((await page.locator('main').innerText()).includes(payload), 'the name is shown exactly as typed');
  const html = await response.text();
  assert.ok(html.includes('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;'), 'the name is HTML-encoded in the page');
  assert.equal(await page.locator('main script, main img').count(), 0, 'nothing typed became an element');
  assert.deepEqual(page.dialogs, [], 'no script ran');
  await audit(page, '23-signed-with-script-name');
  const signed = await engagement(stack, id);
  assert.equal(signed.phase, 'intake');

  // Replaying the single-use link: a clear 410, and nothing changes.
  response = await page.goto(link);
  assert.equal(response.status(), 410);
  assert.equal(await h1(page), 'This link has already been used');
  await audit(page, '24-replayed-link');
  result = await post(link, { 'full-name': 'Someone Else', consent: 'yes' });
  assert.equal(result.status, 410);
  const after = await engagement(stack, id);
  assert.equal(after.version, signed.version, 'a replayed link changes nothing');
  await page.context().close();
}));

test('an expired signing link shows a clear 410 page and changes nothing', () => withLogs(stack, async () => {
  // On the demo program the contract (and so its signing link) expires a few seconds after it is sent.
  const email = `alan.${Date.now()}@example.test`;
  const id = await startEngagement(stack, { programId: 'demo-accelerated', clientName: 'Alan Turing', clientEmail: email });
  const mail = await stack.mail.waitFor(id, 'coaching agreement', { to: email });
  const before = await engagement(stack, id);
  step(`contract expires at ${before.dueAt}; waiting for it`);
  await sleep(Math.max(0, new Date(before.dueAt).getTime() - Date.now()) + 1500);
  const page = await newPage(stack.browser);
  const response = await page.goto(mail.link);
  assert.equal(response.status(), 410);
  assert.equal(await h1(page), 'This link has expired');
  await audit(page, '25-expired-link');
  step('expired page audited');
  const result = await post(mail.link, { 'full-name': 'Alan Turing', consent: 'yes' });
  assert.equal(result.status, 410);
  const now = await engagement(stack, id);
  assert.ok(['contract', 'contract-expired'].includes(now.phase), now.phase);
  assert.ok(!now.timeline.some((t) => t.type === 'contract-signed'), 'no signature was recorded');
  await page.context().close();
}));
