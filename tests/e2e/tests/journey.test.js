// The client's journey through the emailed links, in real headless Chromium, on the demo program (weeks are
// seconds): sign the contract, answer the intake (saving halfway), get ready for session 1, then answer an
// action check-in. The coach's side goes through the API. After each step the engagement is where it should be.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startStack, startEngagement, engagement, until, withLogs } from '../lib/stack.js';
import { newPage, audit, assertPageHeaders, h1, submit } from '../lib/browser.js';
import { execFileSync } from 'node:child_process';

/** The text of a PDF, as poppler's pdftotext extracts it. */
const pdfToText = (bytes) => execFileSync('pdftotext', ['-', '-'], { input: bytes, encoding: 'utf8' });

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

const INTAKE_TEXT = {
  accomplishments: 'Grew regional sales by 12% in 2024 (about €1.4M); cut onboarding time from 6 to 3 weeks for 40 new hires.',
  'energy-drains': 'Status meetings without decisions; chasing approvals.',
  'outside-evidence': 'Last review: "strong on delivery, should take more visible leadership". Two recruiters asked about energy roles.',
  'stuck-point': 'I know I want to move into renewable energy but I cannot say which role, so I never apply.',
  values: 'Honesty, autonomy, learning, impact on climate, time with family.',
  'swot-strengths': 'Building teams, structured selling.',
  'swot-weaknesses': 'Little technical knowledge of grid and storage.',
  'swot-opportunities': 'Two former colleagues now lead teams at a solar developer.',
  'swot-threats': 'Hiring freezes in the sector.',
};
const WHEEL = ['wheel-career', 'wheel-finances', 'wheel-health', 'wheel-family', 'wheel-relationships', 'wheel-growth', 'wheel-fun', 'wheel-environment'];
const SCALED = ['scale-next-move-clarity', 'scale-confidence', 'scale-network'];

async function rate(page, item, score) {
  await page.locator(`#f-${item}-${score}`).check();
}

test('a client signs, answers the intake, prepares a session and checks in on an action, all from emails', () => withLogs(stack, async () => {
  const email = `ada.${Date.now()}@example.test`;
  const id = await startEngagement(stack, { clientName: 'Ada Lovelace', clientEmail: email });
  assert.equal((await engagement(stack, id)).phase, 'contract');

  // 1. Contract: from the email to a signature. The demo program's contract expires after a few seconds, so no dawdling.
  const contractMail = await stack.mail.waitFor(id, 'coaching agreement', { to: email });
  assert.ok(contractMail.link, 'the contract email carries a link');
  assert.ok(!/Ada Lovelace.*renewable energy/s.test(contractMail.text ?? ''), 'the email carries a link, not the contract content');
  const page = await newPage(stack.browser);
  let response = await page.goto(contractMail.link);
  assert.equal(response.status(), 200, await page.content());
  assertPageHeaders(response);
  assert.equal(await h1(page), 'Review and sign your coaching agreement');
  assert.match(await page.locator('article.document').innerText(), /renewable energy/);
  assert.equal(await page.locator('h1').count(), 1, 'the page keeps a single h1');
  const shownHash = (await page.locator('.hash').first().innerText()).trim();
  assert.match(shownHash, /^[0-9a-f]{64}$/);
  await audit(page, '01-contract');
  await page.getByLabel('Your full name').fill('Ada Lovelace');
  await page.getByLabel('I have read this agreement and I agree to it.').check();
  response = await submit(page, 'Sign the agreement');
  assert.equal(response.status(), 200, await page.locator('main').innerText());
  assert.equal(await h1(page), 'Your agreement is signed');
  assert.match(await page.locator('main').innerText(), new RegExp(shownHash));
  await audit(page, '02-contract-signed');
  await until(stack, id, 'phase intake', (e) => e.phase === 'intake');
  const signed = await engagement(stack, id);
  assert.ok(signed.timeline.some((t) => t.type === 'contract-signed' && t.summary === 'Ada signed contract version 1'), 'the signature is on record, in words');
  assert.ok(signed.timeline.every((t) => /^[a-z]+(-[a-z]+)*$/.test(t.type)), 'timeline kinds are kebab-case names, never .NET type names');
  const signature = await until(stack, id, 'the signature document', (e) => e.documents.some((d) => d.name === 'contract-v1-signature'))
    .then(() => stack.api('GET', `/api/engagements/${id}/documents/contract-v1-signature?format=json`));
  assert.equal(signature.status, 200);
  assert.match(signature.text, /Ada Lovelace/, 'the signature record names the signer');
  assert.doesNotMatch(signature.text, /\$type|ContractSigned/, 'documents carry no .NET type names');

  // 2. Intake: save part of it, come back, then submit (first with a gap, which is refused, then complete).
  const intakeMail = await stack.mail.waitFor(id, 'pre-coaching questionnaire');
  response = await page.goto(intakeMail.link);
  assert.equal(response.status(), 200);
  assert.equal(await h1(page), 'Before we start: your career audit');
  await audit(page, '03-intake');
  await page.getByLabel(/List what you achieved/).fill(INTAKE_TEXT.accomplishments);
  await rate(page, 'wheel-career', 4);
  response = await submit(page, 'Save and continue later');
  assert.equal(response.status(), 200);
  assert.equal(await h1(page), 'Your answers are saved');
  await until(stack, id, 'the saved intake answer', (e) => (e.intake?.answers ?? []).some((a) => a.itemId === 'accomplishments' && a.value));
  assert.equal((await engagement(stack, id)).phase, 'intake', 'saving does not complete the intake');

  response = await page.goto(intakeMail.link); // "come back later": the same link shows the saved answers
  assert.equal(await page.getByLabel(/List what you achieved/).inputValue(), INTAKE_TEXT.accomplishments);
  assert.ok(await page.locator('#f-wheel-career-4').isChecked());
  for (const [item, text] of Object.entries(INTAKE_TEXT)) await page.locator(`#f-${item}`).fill(text);
  for (const [i, item] of WHEEL.entries()) if (item !== 'wheel-career') await rate(page, item, 3 + (i % 6));
  await rate(page, SCALED[0], 3);
  await rate(page, SCALED[1], 5);
  // scale-network is left out on purpose
  response = await submit(page, 'Submit my answers');
  assert.equal(response.status(), 400);
  const summary = page.locator('.error-summary');
  assert.match(await summary.innerText(), /Choose a rating for: From 1 to 10, how well do the people around you know/);
  assert.equal(await summary.locator('a').count(), 1);
  assert.equal(await summary.locator('a').getAttribute('href'), '#f-scale-network-1');
  await audit(page, '04-intake-missing-answer');
  assert.equal((await engagement(stack, id)).phase, 'intake', 'a refused submit stores nothing');
  assert.equal(await page.locator('#f-stuck-point').inputValue(), INTAKE_TEXT['stuck-point'], 'typed answers survive the error');
  await rate(page, SCALED[2], 2);
  response = await submit(page, 'Submit my answers');
  assert.equal(response.status(), 200, await page.locator('main').innerText());
  assert.equal(await h1(page), 'Thank you, your answers are in');
  await until(stack, id, 'phase sessions', (e) => e.phase === 'sessions' && e.intake?.completedAt);

  // 3. Session 1: the coach schedules it; the reminder carries the pre-session questionnaire.
  const startAt = new Date(Date.now() + 4000).toISOString();
  let api = await stack.api('POST', `/api/engagements/${id}/sessions`, { number: 1, startAt, timeZoneId: 'Europe/Berlin' });
  assert.ok(api.status < 300, api.text);
  await until(stack, id, 'session 1 scheduled', (e) => e.sessions.some((s) => s.number === 1));
  const reminder = await stack.mail.waitFor(id, /Session 1 with .* is coming up/);
  response = await page.goto(reminder.link);
  assert.equal(response.status(), 200, await page.locator('main').innerText());
  assert.equal(await h1(page), 'Getting ready for our next session');
  await audit(page, '05-pre-session');
  await page.getByLabel('What would make our next conversation worth your time?').fill('Narrow my target roles down to two.');
  response = await submit(page, 'Send my answers');
  assert.equal(response.status(), 200, await page.locator('main').innerText());

  // 4. The coach captures the agreement (the client's action is due in two seconds) and marks the session held.
  const dueAt = new Date(Date.now() + 2000).toISOString();
  api = await stack.api('PUT', `/api/engagements/${id}/sessions/1/agreement`, {
    grow: { goal: 'Choose two target roles', reality: 'Ten vague options', options: 'Interviews, job ads, mentors', will: 'Two interviews this week' },
    goals: [{ description: 'Two target roles chosen', measure: 'Both written down with a reason' }],
    actions: [{ description: 'Hold 2 informational interviews with people in solar', dueAt, obstacle: 'Feeling awkward asking', mitigation: 'Use the script we wrote' }],
    accountability: 'Check-in email',
    leadingIndicators: [{ name: 'Informational interviews', target: '5 by the end of the quarter' }],
    takeaways: 'Clarity beats volume',
    sharedNotes: 'Good energy today',
    privateCoachNotes: 'Watch for perfectionism',
  });
  assert.ok(api.status < 300, api.text);
  await until(stack, id, 'agreement captured', (e) => e.sessions.find((s) => s.number === 1)?.agreementCaptured);
  api = await stack.api('POST', `/api/engagements/${id}/sessions/1/held`);
  assert.ok(api.status < 300, api.text);
  await until(stack, id, 'session 1 held', (e) => e.sessions.find((s) => s.number === 1)?.held && e.actions.length === 1);

  // 5. The action check-in email arrives when the action is due; the client answers it from the email.
  const checkIn = await stack.mail.waitFor(id, 'How is your action going?');
  response = await page.goto(checkIn.link);
  assert.equal(response.status(), 200, await page.locator('main').innerText());
  assert.equal(await h1(page), 'How is your action going?');
  await audit(page, '06-action-checkin');
  await page.getByLabel('Partly done').check();
  await page.getByLabel('What did you learn, or what got in the way?').fill('One interview done; the second moved to next week.');
  response = await submit(page, 'Send my check-in');
  assert.equal(response.status(), 200);
  assert.equal(await h1(page), 'Thank you for checking in');
  await audit(page, '07-checkin-thanks');
  const reported = await until(stack, id, 'the action reported partly done', (e) => e.actions[0].status === 'partly');
  // The coach's timeline reads as the coach would write it.
  const sentences = reported.timeline.map((t) => t.summary);
  assert.ok(sentences.includes("Check-in on 'Hold 2 informational interviews with people in solar' sent to Ada"), sentences.join('\n'));
  assert.ok(sentences.includes("Ada checked in on 'Hold 2 informational interviews with people in solar': partly done"), sentences.join('\n'));
  assert.ok(sentences.includes('Ada answered the questions before session 1'), sentences.join('\n'));

  // The session summary link (read-only) shows the stored summary.
  const summaryMail = await stack.mail.waitFor(id, 'Your summary of session 1');
  response = await page.goto(summaryMail.link);
  assert.equal(response.status(), 200, await page.locator('main').innerText());
  assert.match(await page.locator('article.document').innerText(), /Choose two target roles/);
  assert.doesNotMatch(await page.locator('main').innerText(), /perfectionism/, 'private notes never reach the client');
  await audit(page, '08-session-summary');

  // The client keeps a PDF of the signed agreement; its evidence names the fingerprint of the very page they signed.
  const pdfLink = page.getByRole('link', { name: /signed coaching agreement/ });
  const pdf = await page.request.get(new URL(await pdfLink.getAttribute('href'), page.url()).href);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  const pdfText = pdfToText(await pdf.body());
  assert.match(pdfText, /Ada Lovelace/);
  assert.match(pdfText, /Evidence of the signature/);
  assert.ok(pdfText.includes(shownHash), 'the PDF carries the SHA-256 of the agreement exactly as it was shown and signed');

  const final = await engagement(stack, id);
  assert.equal(final.phase, 'sessions');
  assert.deepEqual(page.dialogs, []);
  await page.context().close();
}));
