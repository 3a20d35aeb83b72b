// A small in-memory HTTP server that speaks the coach API contract (JSON, RFC 9457 problems, bearer tokens,
// Idempotency-Key). The API client's unit tests talk to it over real HTTP, and `npm run e2e:stub` serves it
// so the end-to-end test can be tried before the real backend is up. It is a test peer, not the product:
// it keeps only what the extension reads back.

import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const PROGRAMS = [
  { id: 'career-6', version: 1, name: 'Career transition (6 sessions)', sessions: 6 },
  { id: 'demo-accelerated', version: 1, name: 'Demo accelerated (2 sessions)', sessions: 2 },
];

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120" viewBox="0 0 120 120"><title>Wheel of Life</title><circle cx="60" cy="60" r="50" fill="none" stroke="#0b7285" stroke-width="4"/></svg>`;

/**
 * @param {{ token?: string, latencyMs?: number }} [options]
 * @returns {Promise<{ url: string, requests: any[], state: any, close: () => Promise<void> }>}
 */
export async function startContractServer(options = {}) {
  const token = options.token ?? 'test-token';
  const requests = [];
  const state = {
    engagements: new Map(),
    idempotency: new Map(),
    agreements: new Map(),
    plans: new Map(),
    clientLinks: [],
  };
  const me = {
    coachId: 'coach-1',
    firmId: 'firm-1',
    name: 'Dana Coach',
    email: 'dana@example.com',
    role: 'coach',
    firmName: 'Demo Coaching',
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks).toString('utf8');
    const record = {
      method: req.method,
      path: url.pathname,
      query: url.search,
      headers: req.headers,
      body: raw,
    };
    requests.push(record);
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));

    const send = (status, body, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const problem = (status, title, detail, errors) =>
      send(
        status,
        { type: 'about:blank', title, status, detail, ...(errors ? { errors } : {}) },
        'application/problem+json',
      );

    if (url.pathname === '/api/health') return send(200, { status: 'ok' });
    if (req.headers.authorization !== `Bearer ${token}`) {
      return problem(401, 'Unauthorized', 'The access token is missing, expired or revoked.');
    }
    let body = null;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return problem(400, 'Malformed JSON', 'The request body is not valid JSON.');
      }
    }
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent); // api, engagements, id, …
    const key = req.headers['idempotency-key'];

    if (req.method === 'GET' && url.pathname === '/api/me') return send(200, me);
    if (req.method === 'GET' && url.pathname === '/api/programs') return send(200, PROGRAMS);
    if (req.method === 'GET' && url.pathname === '/api/sponsors')
      return send(200, [{ id: 'sponsor-acme', name: 'Acme Sponsor' }]);
    if (req.method === 'GET' && url.pathname === '/api/cohorts')
      return send(200, { items: [{ id: 'cohort-spring', name: 'Spring leaders', programId: 'career-6' }] });
    if (req.method === 'GET' && url.pathname === '/api/badge') {
      const count = [...state.engagements.values()].filter((e) => e.overdue || e.flags.length > 0).length;
      return send(200, { count });
    }
    if (req.method === 'POST' && url.pathname === '/api/engagements') {
      if (!key) return problem(400, 'Idempotency-Key required', 'Send an Idempotency-Key header.');
      if (state.idempotency.has(key)) return send(200, state.idempotency.get(key)); // a replay: same engagement
      const errors = {};
      if (!body?.clientName?.trim()) errors.clientName = ['Enter the client’s name.'];
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(body?.clientEmail ?? ''))
        errors.clientEmail = ['Enter a valid email.'];
      if (!PROGRAMS.some((p) => p.id === body?.programId)) errors.programId = ['Pick a program.'];
      if (Object.keys(errors).length)
        return problem(400, 'Some fields need attention', 'Check the fields.', errors);
      const now = new Date().toISOString();
      const engagement = {
        id: randomUUID(),
        clientName: body.clientName,
        clientEmail: body.clientEmail,
        programId: body.programId,
        phase: 'contract',
        waitingFor: 'client to sign the contract',
        dueAt: null,
        overdue: false,
        flags: [],
        status: 'running',
        coachId: me.coachId,
        updatedAt: now,
        sponsorId: body.sponsorId,
        overallGoals: body.overallGoals ?? [],
        timeline: [
          { at: now, type: 'engagement-started', summary: `Engagement with ${body.clientName} started` },
        ],
        sessions: [],
        actions: [],
      };
      state.engagements.set(engagement.id, engagement);
      const summary = summarize(engagement);
      state.idempotency.set(key, summary);
      return send(201, summary);
    }
    if (req.method === 'GET' && url.pathname === '/api/engagements') {
      let items = [...state.engagements.values()];
      const phase = url.searchParams.get('phase');
      const flag = url.searchParams.get('flag');
      if (phase) items = items.filter((e) => e.phase === phase);
      if (flag) items = items.filter((e) => e.flags.includes(flag));
      const cohort = url.searchParams.get('cohort');
      if (cohort) items = items.filter((e) => e.cohort === cohort);
      if (url.searchParams.get('overdue') === 'true') items = items.filter((e) => e.overdue);
      const pageSize = Number(url.searchParams.get('pageSize') ?? 50);
      const start = Number(url.searchParams.get('continuationToken') ?? 0);
      const page = items.slice(start, start + pageSize);
      const next = start + pageSize < items.length ? String(start + pageSize) : null;
      return send(200, { items: page.map(summarize), continuationToken: next });
    }
    if (parts[0] === 'api' && parts[1] === 'engagements' && parts[2]) {
      const engagement = state.engagements.get(parts[2]);
      if (!engagement) return problem(404, 'Not found', 'No engagement with that id.');
      const rest = parts.slice(3).join('/');
      if (req.method === 'GET' && rest === '') return send(200, detail(engagement));
      if (req.method === 'GET' && (rest === 'charts/wheel.svg' || rest === 'charts/trend.svg')) {
        return send(200, SVG, 'image/svg+xml');
      }
      if (req.method === 'POST' && rest === 'sessions') {
        if (
          !Number.isInteger(body?.number) ||
          !/[+-]\d\d:\d\d$|Z$/.test(body?.startAt ?? '') ||
          !body?.timeZoneId
        ) {
          return problem(
            400,
            'Invalid session',
            'number, startAt with an offset and timeZoneId are required.',
          );
        }
        const existing = engagement.sessions.find((s) => s.number === body.number);
        if (existing) Object.assign(existing, { startAt: body.startAt, timeZoneId: body.timeZoneId });
        else
          engagement.sessions.push({
            number: body.number,
            startAt: body.startAt,
            timeZoneId: body.timeZoneId,
            held: false,
            agreementCaptured: false,
          });
        engagement.timeline.push({
          at: new Date().toISOString(),
          type: 'session-scheduled',
          summary: `Session ${body.number} scheduled.`,
        });
        return send(200, {});
      }
      const agreementMatch = rest.match(/^sessions\/(\d+)\/agreement$/);
      if (req.method === 'PUT' && agreementMatch) {
        if (!key) return problem(400, 'Idempotency-Key required', 'Send an Idempotency-Key header.');
        const scoped = `${engagement.id}:${key}`;
        if (state.idempotency.has(scoped)) return send(200, {});
        const goals = body?.goals ?? [];
        if (!body?.grow?.goal || goals.length < 1 || goals.length > 3) {
          return problem(400, 'Invalid agreement', 'A GROW goal and 1–3 goals are required.', {
            goals: ['Give 1 to 3 measurable goals.'],
          });
        }
        const number = Number(agreementMatch[1]);
        const session = engagement.sessions.find((s) => s.number === number);
        if (!session) return problem(409, 'Not possible now', `Session ${number} is not scheduled.`);
        state.idempotency.set(scoped, true);
        state.agreements.set(`${engagement.id}:${number}`, body);
        session.agreementCaptured = true;
        for (const action of body.actions ?? []) {
          engagement.actions.push({
            id: randomUUID(),
            description: action.description,
            dueAt: action.dueAt,
            status: 'open',
            checkIns: [],
          });
        }
        engagement.timeline.push({
          at: new Date().toISOString(),
          type: 'session-agreement-captured',
          summary: `Session ${number} agreement: ${body.grow.goal}`,
        });
        return send(200, {});
      }
      const heldMatch = rest.match(/^sessions\/(\d+)\/held$/);
      if (req.method === 'POST' && heldMatch) {
        const session = engagement.sessions.find((s) => s.number === Number(heldMatch[1]));
        if (!session) return problem(409, 'Not scheduled', 'Schedule the session before marking it held.');
        if (!session.agreementCaptured) {
          return send(202, {
            id: engagement.id,
            result: 'deferred',
            message: `Marking session ${session.number} held waits for its session agreement.`,
          });
        }
        session.held = true;
        return send(200, { id: engagement.id, result: 'applied', message: null });
      }
      if (req.method === 'POST' && rest === 'follow-up') {
        // As the server: only a graduated client (maintenance or closed) gets a follow-up; details and goals carry over.
        if (!['maintenance', 'closed'].includes(engagement.phase))
          return problem(
            409,
            'Not possible now',
            'A follow-up engagement starts from a client who has graduated.',
          );
        const now = new Date().toISOString();
        const followUp = {
          ...engagement,
          id: randomUUID(),
          phase: 'contract',
          waitingFor: 'client-signature',
          flags: [],
          status: 'running',
          updatedAt: now,
          timeline: [
            {
              at: now,
              type: 'engagement-started',
              summary: `Engagement with ${engagement.clientName} started`,
            },
            { at: now, type: 'follows-up-engagement', summary: `Follows up an earlier engagement` },
          ],
          sessions: [],
          actions: [],
        };
        state.engagements.set(followUp.id, followUp);
        engagement.flags = engagement.flags.filter((f) => f !== 'support-requested');
        engagement.timeline.push({
          at: now,
          type: 'follow-up-started',
          summary: 'Follow-up engagement started',
        });
        return send(201, summarize(followUp));
      }
      if (req.method === 'POST' && rest === 'client-export-link') {
        // As the server: the link goes to the client's address on the engagement and works for seven days.
        const expiresAt = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
        state.clientLinks.push({ engagementId: engagement.id, to: engagement.clientEmail, expiresAt });
        return send(202, {
          engagementId: engagement.id,
          sentTo: "the client's address on the engagement",
          expiresAt,
        });
      }
      if (req.method === 'POST' && rest === 'maintenance-plan') {
        state.plans.set(engagement.id, body);
        engagement.timeline.push({
          at: new Date().toISOString(),
          type: 'maintenance-plan-drafted',
          summary: 'Maintenance plan sent to the client to confirm.',
        });
        return send(200, {});
      }
    }
    return problem(404, 'Not found', `No route for ${req.method} ${url.pathname}.`);
  });

  await new Promise((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${address.port}`,
    token,
    requests,
    state,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function summarize(e) {
  const { id, clientName, programId, phase, waitingFor, dueAt, overdue, flags, status, coachId, updatedAt } =
    e;
  return { id, clientName, programId, phase, waitingFor, dueAt, overdue, flags, status, coachId, updatedAt };
}

function detail(e) {
  return {
    ...summarize(e),
    timeline: e.timeline,
    due: [],
    documents: [
      {
        kind: 'contract',
        name: 'Engagement contract v1',
        url: `https://coachflow.invalid/contracts/${e.id}`,
      },
    ],
    actions: e.actions,
    intake: { answers: [], completedAt: null },
    baseline: [],
    reassessments: [],
    sessions: e.sessions,
  };
}
