// Drives a demo-accelerated engagement from its contract to graduation the way a coach and a client would:
// the coach through the coach API, the client through the links in the emails, filling in the very pages a
// client sees in Chromium. Shared by the client-page tests (tests/e2e) and the extension's e2e
// (extension/e2e/run.mjs), so it needs nothing but what they pass in: no imports beyond Node itself.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Fills in whatever form the page shows as a cooperative client would (ratings of 7, "partly", "yes", a few
 * words in every text box except those named in `leave`) and submits it with the button named `button`.
 * Returns the response of the navigation.
 */
export async function answerPage(page, button, { leave = [], text = 'Going well; I keep my weekly review on Fridays.' } = {}) {
  await page.evaluate(({ leave, text }) => {
    const groups = new Map();
    for (const radio of document.querySelectorAll('form input[type=radio]')) {
      if (!groups.has(radio.name)) groups.set(radio.name, []);
      groups.get(radio.name).push(radio);
    }
    for (const radios of groups.values()) {
      const pick = ['7', 'partly', 'yes'].map((v) => radios.find((r) => r.value === v)).find(Boolean) ?? radios[0];
      pick.checked = true;
    }
    for (const field of document.querySelectorAll('form textarea, form input[type=text], form input[type=number]')) {
      if (leave.includes(field.name) || field.value) continue;
      field.value = field.type === 'number' ? '3' : text;
    }
  }, { leave, text });
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('button', { name: button }).click(),
  ]);
  return response;
}

/**
 * From a freshly started engagement to the point where the coach drafts the maintenance plan: the client
 * signs and answers the intake; six sessions are scheduled, agreed and held; both reassessments are answered
 * and reviewed.
 * @param {object} p
 * @param {string} p.id the engagement
 * @param {(method: string, path: string, body?: unknown) => Promise<{status: number, json: any, text: string}>} p.api the coach API
 * @param {(subject: RegExp) => Promise<{link: string}>} p.email waits for the next client email whose subject matches and returns it with its link
 * @param {() => Promise<import('playwright-core').Page>} p.openPage a browser page for the client
 * @param {(what: string) => void} [p.log]
 */
export async function driveToPlanDraft({ id, api, email, openPage, log = () => {} }) {
  const page = await openPage();
  const ok = async (what, call) => {
    const response = await call;
    if (response.status >= 300) throw new Error(`${what}: ${response.status} ${response.text}`);
    return response;
  };
  const until = async (what, predicate, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
      last = (await api('GET', `/api/engagements/${id}`)).json;
      if (last && predicate(last)) return last;
      await sleep(250);
    }
    throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify({ phase: last?.phase, waitingFor: last?.waitingFor })}`);
  };
  const client = async (subject, button, what) => {
    const mail = await email(subject);
    const response = await page.goto(mail.link);
    if (response.status() !== 200) throw new Error(`${what}: the page answered ${response.status()}`);
    const submitted = await answerPage(page, button);
    if (submitted.status() !== 200) throw new Error(`${what}: submitting answered ${submitted.status()}: ${await page.locator('main').innerText()}`);
    log(what);
  };

  const contract = await email(/coaching agreement/);
  await page.goto(contract.link);
  await page.getByLabel('Your full name').fill('Dana Client');
  await page.getByLabel(/I have read this agreement/).check();
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign the agreement' }).click()]);
  log('the client signed the contract');
  await client(/pre-coaching questionnaire/, 'Submit my answers', 'the client answered the intake');
  await until('the sessions phase', (e) => e.phase === 'sessions');

  for (let n = 1; n <= 6; n++) {
    await until(`session ${n} can be booked`, (e) => e.waitingFor === `session-${n}-scheduling`);
    await ok(`schedule session ${n}`, api('POST', `/api/engagements/${id}/sessions`, { number: n, startAt: new Date(Date.now() + 2000).toISOString(), timeZoneId: 'Europe/Berlin' }));
    await ok(`agreement of session ${n}`, api('PUT', `/api/engagements/${id}/sessions/${n}/agreement`, {
      grow: { goal: `Session ${n}: the next step towards a renewable-energy role`, reality: 'Network still thin', options: 'Introductions, meetups', will: 'Ask two colleagues' },
      goals: [{ description: 'Two target employers named', measure: 'Written down with a reason each' }],
      actions: [],
      accountability: 'A short note on Friday',
      leadingIndicators: [{ name: 'Informational interviews', target: '5 by the end of the quarter' }],
      takeaways: 'Asking is part of the job search',
      sharedNotes: 'Good energy',
      privateCoachNotes: 'Watch for perfectionism',
    }));
    await ok(`session ${n} held`, api('POST', `/api/engagements/${id}/sessions/${n}/held`));
    log(`session ${n} held`);
    if (n === 3 || n === 6) {
      const number = n === 3 ? 1 : 2;
      await client(/how far you've come/, 'Send my reassessment', `the client answered reassessment ${number}`);
      await until(`reassessment ${number} answered`, (e) => (e.waitingFor ?? '').endsWith('-review'));
      await ok(`review ${number}`, api('POST', `/api/engagements/${id}/reassessments/${number}/review`, { goalUpdates: ['Keep the renewable-energy target'], droppedActionIds: [], amendmentNeeded: false }));
      log(`reassessment ${number} reviewed`);
    }
  }
  await until('the plan draft', (e) => e.waitingFor === 'maintenance-plan-draft');
  return page;
}

/** The plan a coach drafts at graduation, with the triggers for seeking support again. */
export const PLAN = {
  frameworks: ['GROW for decisions', 'A weekly review on Friday afternoons'],
  valuesAndStrengths: ['Curiosity', 'Steadiness under pressure'],
  goalTracking: 'A one-page scorecard of leading indicators, updated weekly',
  retreatCadence: 'A half-day self-coaching retreat every quarter',
  supportTriggers: ['A step up to an executive role', 'An industry shift', 'Six months without progress'],
  outcomes: 'An offer for a team-lead role in a solar company',
};
