// The firm dashboard in Chromium: a firm admin and a sponsor each sign in through the link emailed to them (the
// link's page posts it with a button; the dashboard's URL carries no token), read the dashboard, and sign out.
// axe runs on every page; screenshots land in tests/e2e/screenshots/firm-*.png.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startStack, startEngagement, step, withLogs } from '../lib/stack.js';
import { newPage, audit, assertPageHeaders, h1, submit } from '../lib/browser.js';

let stack;
let sponsorId;
const sponsorEmail = 'sasha.sponsor@northwind.example';
const adminEmail = 'admin@northwind.example'; // the demo firm's admin (seed-demo)

before(async () => {
  stack = await startStack();
  const added = await stack.admin(['add-user', '--firm', 'firm-demo', '--name', 'Sasha Sponsor', '--email', sponsorEmail, '--role', 'sponsor']);
  sponsorId = /sponsor: (\S+)/.exec(added)?.[1];
  assert.ok(sponsorId, added);

  // Three engagements: two sponsored by Sasha (one of them signed, so in intake), one not.
  const signed = await startEngagement(stack, { programId: 'career-6', clientName: 'Grace Hopper', clientEmail: 'grace@client.example' });
  await stack.api('POST', '/api/engagements', { clientName: 'Alan Turing', clientEmail: 'alan@client.example', programId: 'career-6', sponsorId, overallGoals: ['A leadership role in renewable energy within 12–18 months'] });
  const sponsored = await stack.api('POST', '/api/engagements', { clientName: 'Katherine Johnson', clientEmail: 'katherine@client.example', programId: 'career-6', sponsorId, overallGoals: ['Increase sales by 10% within six months'] });
  assert.ok(sponsored.status < 300, sponsored.text);
  const contract = await stack.mail.waitFor(sponsored.json.id, 'coaching agreement', { to: 'katherine@client.example' });
  const page = await newPage(stack.browser);
  await page.goto(contract.link);
  await page.getByLabel('Your full name').fill('Katherine Johnson');
  await page.getByLabel('I have read this agreement and I agree to it.').check();
  await submit(page, 'Sign the agreement');
  await page.context().close();
  assert.ok(signed);
  await seedIndexRows();
});
after(async () => { await stack?.stop(); });

// Azurite's well-known development key: the rows below are written to this test's in-memory Azurite.
const ACCOUNT = 'devstoreaccount1';
const KEY = Buffer.from('Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==', 'base64');

/** Inserts an entity through the Table REST API (SharedKeyLite), creating the table if needed. */
async function insert(table, entity) {
  const send = async (resource, body) => {
    const date = new Date().toUTCString();
    const signature = createHmac('sha256', KEY).update(`${date}\n/${ACCOUNT}/${ACCOUNT}/${resource}`).digest('base64');
    return fetch(`http://127.0.0.1:${stack.ports.table}/${ACCOUNT}/${resource}`, {
      method: 'POST',
      headers: {
        'x-ms-date': date, 'x-ms-version': '2019-02-02', authorization: `SharedKeyLite ${ACCOUNT}:${signature}`,
        accept: 'application/json;odata=nometadata', 'content-type': 'application/json', prefer: 'return-no-content',
      },
      body: JSON.stringify(body),
    });
  };
  const created = await send('Tables', { TableName: table });
  assert.ok([201, 204, 409].includes(created.status), `creating ${table}: ${created.status} ${await created.text()}`);
  const inserted = await send(table, entity);
  assert.ok([201, 204].includes(inserted.status), `inserting into ${table}: ${inserted.status} ${await inserted.text()}`);
}

/**
 * Index rows with the columns the engine's RecordStep writes, for what the demo cannot reach in a test's time: a
 * cohort (the import writes its name), flags, an overdue engagement, milestones and progress since baseline.
 */
async function seedIndexRows() {
  const day = 24 * 3600 * 1000;
  const at = (offset) => ({ value: new Date(Date.now() + offset).toISOString(), type: 'Edm.DateTime' });
  const row = (id, client, phase, status, waitingFor, due, flags, sponsor, m) => {
    const e = {
      PartitionKey: 'firm-demo', RowKey: id, Status: status, Version: '5', 'Version@odata.type': 'Edm.Int64', CoachId: 'coach-demo', Phase: phase, Flags: flags.join(','),
      Label: client, Category: 'career-6', CohortId: 'cohort-e2e-spring', ClientId: `client-${id}`,
      'UpdatedAt@odata.type': 'Edm.DateTime', UpdatedAt: new Date().toISOString(),
    };
    if (sponsor) e.SponsorId = sponsor;
    if (waitingFor) e.WaitingFor = waitingFor;
    if (due) { e.DueAt = due.value; e['DueAt@odata.type'] = due.type; }
    for (const f of flags) e[`F_${f.replace(/-/g, '_')}`] = true;
    if (m) Object.assign(e, { Signed: m[0], IntakeCompleted: m[1], SessionsHeld: m[2], ReassessmentsCompleted: m[3], Graduated: m[4] }, m[5] === null ? {} : { Progress: m[5], 'Progress@odata.type': 'Edm.Double' });
    return e;
  };
  await insert('coachflowindex', row('eng-e2e-overdue', 'Olga Overdue', 'contract', 'running', 'client-signature', at(-2 * day), [], null, null));
  await insert('coachflowindex', row('eng-e2e-stalled', 'Stan Stalled', 'intake', 'running', 'client-intake', at(5 * day), ['stalled'], sponsorId, [true, false, 0, 0, false, null]));
  await insert('coachflowindex', row('eng-e2e-bouncing', 'Bea Bounce', 'sessions', 'running', 'session-scheduled', at(3 * day), ['client-email-bouncing'], null, [true, true, 2, 1, false, 1.5]));
  await insert('coachflowindex', row('eng-e2e-graduated', 'Gil Graduate', 'closed', 'completed', null, null, [], null, [true, true, 6, 2, true, 3.2]));
  await insert('coachflowcohorts', { PartitionKey: 'firm-demo', RowKey: 'cohort-e2e-spring', Name: 'Spring leaders', ProgramId: 'career-6' });
}

/** Signs in as a browser would: the sign-in page, the email, the link's page, its button. Returns the dashboard page. */
async function signIn(page, email, name) {
  let response = await page.goto(`${stack.baseUrl}/firm/sign-in`);
  assert.equal(response.status(), 200);
  assertPageHeaders(response);
  await audit(page, `firm-01-sign-in-${name}`);
  const before = (await stack.mail.all()).filter((m) => m.to?.some((a) => a.address === email));
  await page.getByLabel('Your work email address').fill(email);
  response = await submit(page, 'Email me a sign-in link');
  assert.equal(response.status(), 200);
  assert.equal(await h1(page), 'Check your email');
  await audit(page, `firm-02-check-email-${name}`);

  const mail = await stack.mail.waitFor('(matched by recipient)', /sign-in link/, { to: email, after: before });
  const link = new RegExp(`${stack.baseUrl.replace(/[.:/]/g, (c) => `\\${c}`)}/firm/sign-in/cfl_[A-Za-z0-9_-]+`).exec(mail.text ?? '')?.[0];
  assert.ok(link, 'the email carries a sign-in link');

  response = await page.goto(link);
  assert.equal(response.status(), 200);
  assert.equal(response.headers()['referrer-policy'], 'no-referrer');
  await audit(page, `firm-03-link-page-${name}`);
  response = await submit(page, 'Sign in');
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/firm', 'the dashboard is at /firm');
  assert.ok(!page.url().includes('cfl_'), 'no token in the dashboard URL');
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'cf-firm');
  assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
  assert.equal(session?.sameSite, 'Strict');
  return link;
}

test('a firm admin signs in by email and reads the whole firm; the link works once; sign-out ends the session', () => withLogs(stack, async () => {
  const page = await newPage(stack.browser);
  const link = await signIn(page, adminEmail, 'admin');
  assert.equal(await h1(page), 'Firm dashboard');
  const main = await page.locator('main').innerText();
  assert.match(main, /All 7 coaching engagements of Northwind Coaching/);
  assert.match(main, /Olga Overdue/);
  assert.match(main, /Spring leaders/);
  assert.match(main, /Each coach's load/);
  assert.match(main, /Casey Coach/);
  assert.equal(await page.locator('svg[role="img"]').count(), 4, 'phases, coach load, cohorts, progress');
  await audit(page, 'firm-04-dashboard-admin-phone');
  await page.setViewportSize({ width: 1280, height: 900 });
  await audit(page, 'firm-05-dashboard-admin-desktop');

  const csv = await page.request.get(`${stack.baseUrl}/firm/csv/phases`);
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /Phase,Engagements\r\nContract,3\r\nIntake,2\r\nSessions,1\r\nClosed,1\r\n/);

  // The cohort's own page, from its link in the cohorts table.
  await page.getByRole('link', { name: 'Spring leaders' }).click();
  await page.waitForLoadState('load');
  assert.equal(await h1(page), 'Cohort: Spring leaders');
  await audit(page, 'firm-05b-cohort-admin-desktop');
  await page.setViewportSize({ width: 390, height: 844 });
  await audit(page, 'firm-05c-cohort-admin-phone');
  await page.goto(`${stack.baseUrl}/firm`);

  // The emailed link has done its work.
  const again = await newPage(stack.browser);
  await again.goto(link);
  const refused = await submit(again, 'Sign in');
  assert.equal(refused.status(), 410);
  assert.equal(await h1(again), 'This sign-in link has already been used');
  await audit(again, 'firm-06-link-used');

  const out = await submit(page, 'Sign out');
  assert.equal(out.status(), 200);
  assert.equal(await h1(page), 'You are signed out');
  const afterOut = await page.goto(`${stack.baseUrl}/firm`);
  assert.equal(afterOut.status(), 401);
  assert.equal(await h1(page), 'Please sign in');
  await audit(page, 'firm-07-signed-out');
}));

test('a sponsor signs in and sees only the engagements they sponsor, progress only', () => withLogs(stack, async () => {
  const page = await newPage(stack.browser);
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, sponsorEmail, 'sponsor');
  assert.equal(await h1(page), 'Your sponsored coaching');
  const main = await page.locator('main').innerText();
  assert.match(main, /The 3 coaching engagements you sponsor/);
  assert.match(main, /Stan Stalled/);
  assert.doesNotMatch(main, /Olga Overdue|Bea Bounce|Gil Graduate/);
  assert.doesNotMatch(main, /Grace Hopper/);
  assert.doesNotMatch(main, /Each coach's load/);
  assert.doesNotMatch(main, /renewable energy|Increase sales/, 'no goals or answers on the dashboard');
  await audit(page, 'firm-08-dashboard-sponsor');
  const coaches = await page.request.get(`${stack.baseUrl}/firm/csv/coaches`);
  assert.equal(coaches.status(), 404);
  step('sponsor dashboard checked');
}));

test('a coach asking for a link gets the same page and no email', () => withLogs(stack, async () => {
  const page = await newPage(stack.browser);
  await page.goto(`${stack.baseUrl}/firm/sign-in`);
  await page.getByLabel('Your work email address').fill('casey@northwind.example');
  const response = await submit(page, 'Email me a sign-in link');
  assert.equal(response.status(), 200);
  assert.equal(await h1(page), 'Check your email');
  await new Promise((r) => setTimeout(r, 1000));
  const toCoach = (await stack.mail.all()).filter((m) => m.to?.some((a) => a.address === 'casey@northwind.example') && /sign-in/.test(m.subject));
  assert.deepEqual(toCoach, []);

  await page.goto(`${stack.baseUrl}/firm/sign-in`);
  await page.getByLabel('Your work email address').fill('not an address');
  const bad = await submit(page, 'Email me a sign-in link');
  assert.equal(bad.status(), 400);
  await audit(page, 'firm-09-sign-in-error');
}));
