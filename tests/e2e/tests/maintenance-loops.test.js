// The loops the process promises, closed through the public surfaces (coach API, emails in maildev, client
// pages in Chromium) on the demo program: the client asks for changes to the maintenance plan and confirms
// the coach's second version; later a maintenance check-in reports a trigger, the coach is emailed, the
// engagement is flagged support-requested, and the coach starts a follow-up engagement in one step.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startStack, startEngagement, engagement, until, withLogs, step } from '../lib/stack.js';
import { newPage, audit, h1, submit } from '../lib/browser.js';
import { driveToPlanDraft, answerPage, PLAN } from '../lib/lifecycle.js';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

/** Waits for the next email to `to` whose subject matches and that this test has not read yet. */
function inbox(to) {
  const seen = new Set();
  return async (subject, timeoutMs = 60_000) => {
    const found = await stack.waitFor(`an email "${subject}" to ${to}`, async () =>
      (await stack.mail.all()).find((m) => !seen.has(m.id) && m.to?.some((a) => a.address?.toLowerCase() === to) && subject.test(m.subject)), timeoutMs);
    seen.add(found.id);
    const link = /https?:\/\/[^\s"'<>]+\/c\/[A-Za-z0-9_.~-]+/.exec(`${found.text ?? ''} ${found.html ?? ''}`)?.[0];
    return { ...found, link };
  };
}

test('the client asks for plan changes and confirms version 2; a reported trigger reaches the coach, who starts a follow-up in one step', () => withLogs(stack, async () => {
  const clientEmail = `dana.${Date.now()}@example.test`;
  const coachEmail = (await stack.api('GET', '/api/me')).json.email.toLowerCase();
  const id = await startEngagement(stack, { clientName: 'Dana Client', clientEmail, overallGoals: ['Increase sales by 10% within six months'] });
  const clientMail = inbox(clientEmail);
  const coachMail = inbox(coachEmail);
  const page = await driveToPlanDraft({ id, api: stack.api, email: clientMail, openPage: () => newPage(stack.browser), log: step });

  // On the demo clock sessions come about every 20 seconds and are booked for 5, as the contract says.
  const confirmation = await stack.mail.waitFor(id, /Session 1 with .* is confirmed/);
  let response = await page.goto(confirmation.link);
  assert.match(await page.locator('main').innerText(), /Length\s+5 seconds/);
  const contract = await stack.api('GET', `/api/engagements/${id}/documents/contract-v1`);
  assert.match(contract.text, /6 one-to-one sessions of 5 seconds each, about every 20 seconds/);

  // The coach drafts the plan; the email and the page say the same thing: confirm it or ask for changes.
  let api = await stack.api('POST', `/api/engagements/${id}/maintenance-plan`, PLAN);
  assert.ok(api.status < 300, api.text);
  const review = await clientMail(/self-coaching plan is ready to review/);
  assert.match(review.text, /Read it through, then confirm it or ask for changes\./);
  response = await page.goto(review.link);
  assert.equal(response.status(), 200);
  assert.match(await page.locator('main').innerText(), /Read it through, then confirm it or ask for changes\./);
  assert.equal(await page.getByRole('button', { name: 'Ask for changes' }).count(), 1);
  await audit(page, '30-plan-review');

  // Asking for changes without saying what is refused with a reason, and nothing is sent.
  response = await submit(page, 'Ask for changes');
  assert.equal(response.status(), 400);
  assert.match(await page.locator('.error-summary').innerText(), /Say what you would like to change/);
  await audit(page, '31-plan-changes-missing');
  await page.getByLabel('What would you like to change?').fill('Could the retreat be monthly? A quarter is too long for me.');
  response = await submit(page, 'Ask for changes');
  assert.equal(response.status(), 200, await page.locator('main').innerText());
  assert.equal(await h1(page), 'Thank you: your coach will send a new version');
  await audit(page, '32-plan-changes-sent');

  // The coach is told (an email with no answers in it), the request is kept as a document, and the engagement waits for a redraft.
  const changesMail = await coachMail(/asked for changes to their plan/);
  assert.doesNotMatch(`${changesMail.text} ${changesMail.html}`, /monthly/, 'the email carries no answers');
  let e = await until(stack, id, 'the redraft', (x) => x.waitingFor === 'maintenance-plan-redraft' && x.documents.some((d) => d.name === 'maintenance-plan-draft-1-changes'));
  assert.ok(e.timeline.some((t) => t.type === 'maintenance-plan-changes-requested' && t.summary === 'Dana asked for changes to maintenance plan version 1'));
  const request = await stack.api('GET', `/api/engagements/${id}/documents/maintenance-plan-draft-1-changes?format=json`);
  assert.match(request.text, /monthly/);
  assert.doesNotMatch(request.text, /\$type/, 'documents carry no .NET type names');
  response = await page.goto(review.link); // the old link now says the coach is on it
  assert.equal(await h1(page), 'You have asked for changes');

  // Version 2: the client confirms it; both versions are kept.
  api = await stack.api('POST', `/api/engagements/${id}/maintenance-plan`, { ...PLAN, retreatCadence: 'A two-hour self-coaching retreat every month' });
  assert.ok(api.status < 300, api.text);
  const review2 = await clientMail(/self-coaching plan is ready to review/);
  response = await page.goto(review2.link);
  assert.match(await page.locator('main').innerText(), /version 2, with the changes you asked for/);
  assert.match(await page.locator('main').innerText(), /every month/);
  await audit(page, '33-plan-version-2');
  response = await submit(page, 'Confirm my plan');
  assert.equal(await h1(page), 'Congratulations, you have graduated');
  e = await until(stack, id, 'maintenance', (x) => x.phase === 'maintenance' && x.documents.some((d) => d.name === 'maintenance-plan'));
  assert.deepEqual(e.documents.map((d) => d.name).filter((n) => n.startsWith('maintenance-plan')).sort(),
    ['maintenance-plan', 'maintenance-plan-draft-1', 'maintenance-plan-draft-1-changes', 'maintenance-plan-draft-2']);

  // A maintenance check-in: the client reports a trigger.
  const checkIn = await clientMail(/quarterly self-coaching check-in/, 90_000);
  response = await page.goto(checkIn.link);
  assert.equal(response.status(), 200);
  await page.locator('#f-trigger').fill('I have been offered a step up to an executive role and would like support.');
  response = await answerPage(page, 'Send my check-in', { leave: ['trigger'] });
  assert.equal(response.status(), 200, await page.locator('main').innerText());
  assert.match(await page.locator('main').innerText(), /will see what has changed/);
  await audit(page, '34-checkin-trigger-reported');

  // The coach is told by email (no answers in it); the engagement is flagged; the timeline says it in words.
  const support = await coachMail(/asked for support again/);
  assert.doesNotMatch(`${support.text} ${support.html}`, /executive role/, 'the email carries no answers');
  e = await until(stack, id, 'the support-requested flag', (x) => x.flags.includes('support-requested'));
  assert.ok(e.timeline.some((t) => t.type === 'flag-raised' && /Dana asked for support again/.test(t.summary)));
  const listed = await stack.api('GET', '/api/engagements?flag=support-requested');
  assert.ok(listed.json.items.some((i) => i.id === id), 'listing filters on the flag');

  // One step: the follow-up engagement starts with the client and goals carried over and a new contract.
  api = await stack.api('POST', `/api/engagements/${id}/follow-up`, {});
  assert.equal(api.status, 201, api.text);
  const followUpId = api.json.id;
  assert.notEqual(followUpId, id);
  const followUp = await engagement(stack, followUpId);
  assert.deepEqual([followUp.clientName, followUp.phase, followUp.programId], ['Dana Client', 'contract', 'demo-accelerated']);
  assert.ok(followUp.timeline.some((t) => t.type === 'follows-up-engagement'));
  const newContract = await stack.mail.waitFor(followUpId, 'coaching agreement');
  response = await page.goto(newContract.link);
  assert.match(await page.locator('article.document').innerText(), /Increase sales by 10% within six months/);
  const before = await engagement(stack, id);
  assert.ok(!before.flags.includes('support-requested'), 'the request is answered');
  assert.ok(before.timeline.some((t) => t.type === 'follow-up-started' && t.summary === 'Follow-up engagement started for Dana'));
  assert.deepEqual(page.dialogs, []);
  await page.context().close();
}));
