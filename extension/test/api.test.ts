import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, CoachFlowApi, normalizeServerUrl, originPattern } from '../src/shared/api';
import { startContractServer } from './support/contract-server.mjs';

type Server = Awaited<ReturnType<typeof startContractServer>>;
let server: Server;
let api: CoachFlowApi;

beforeAll(async () => {
  server = await startContractServer({ token: 'pat_good' });
  api = new CoachFlowApi({ baseUrl: server.url, token: 'pat_good' });
});
afterAll(() => server.close());

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected the call to fail');
}

const agreement = {
  grow: {
    goal: 'Decide on two target companies',
    reality: 'Applied widely',
    options: 'Narrow the list',
    will: 'Pick two',
  },
  goals: [{ description: 'Shortlist 2 renewable-energy employers', measure: 'Two names by Friday' }],
  actions: [
    {
      description: 'Hold 5 informational interviews',
      dueAt: '2025-06-30',
      obstacle: 'Shyness',
      mitigation: 'Script',
    },
  ],
  accountability: 'Email the coach each Friday',
  leadingIndicators: [{ name: 'Informational interviews', target: '5 by end of quarter' }],
  takeaways: 'Fewer, better applications',
  sharedNotes: 'Good energy',
  privateCoachNotes: 'Watch for perfectionism',
};

describe('CoachFlowApi against a contract-speaking HTTP server', () => {
  it('sends the bearer token and reads /api/me', async () => {
    const me = await api.me();
    expect(me).toMatchObject({ name: 'Dana Coach', role: 'coach', firmName: 'Demo Coaching' });
    const last = server.requests.at(-1)!;
    expect(last.headers.authorization).toBe('Bearer pat_good');
    expect(last.path).toBe('/api/me');
  });

  it('a wrong or expired token → an "unauthorized" error that says how to fix it', async () => {
    const bad = new CoachFlowApi({ baseUrl: server.url, token: 'pat_expired' });
    const error = await rejection(bad.me());
    expect(error.kind).toBe('unauthorized');
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/token/i);
    expect(error.message).toMatch(/Options/);
  });

  it('an unreachable server → "unreachable", naming the URL', async () => {
    const closed = await startContractServer();
    await closed.close();
    const error = await rejection(new CoachFlowApi({ baseUrl: closed.url, token: 'x' }).me());
    expect(error.kind).toBe('unreachable');
    expect(error.message).toContain(closed.url);
    expect(error.message).toMatch(/can't reach/i);
  });

  it('a server that is too slow → "timeout"', async () => {
    const slow = await startContractServer({ token: 't', latencyMs: 500 });
    try {
      const error = await rejection(new CoachFlowApi({ baseUrl: slow.url, token: 't', timeoutMs: 50 }).me());
      expect(error.kind).toBe('timeout');
    } finally {
      await slow.close();
    }
  });

  it('a non-CoachFlow server answering HTML → a plain error, not a crash', async () => {
    const html = createServer((_, res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<h1>oops</h1>');
    });
    await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve));
    const port = (html.address() as { port: number }).port;
    try {
      const error = await rejection(
        new CoachFlowApi({ baseUrl: `http://127.0.0.1:${port}`, token: 't' }).me(),
      );
      expect(error.kind).toBe('server');
      expect(error.status).toBe(500);
      expect(error.message).not.toContain('<h1>');
    } finally {
      await new Promise((r) => html.close(r));
    }
  });

  it('lists programs', async () => {
    const programs = await api.programs();
    expect(programs.map((p) => p.id)).toEqual(['career-6', 'demo-accelerated']);
  });

  it('starts an engagement once per Idempotency-Key, even when the request is retried', async () => {
    const body = {
      clientName: 'Ana Souza',
      clientEmail: 'ana.souza@example.com',
      programId: 'career-6',
      overallGoals: ['Increase sales by 10% within six months'],
    };
    const first = await api.startEngagement(body, 'key-1');
    const retry = await api.startEngagement(body, 'key-1');
    expect(retry.id).toBe(first.id);
    const posts = server.requests.filter((r) => r.method === 'POST' && r.path === '/api/engagements');
    expect(posts.at(-1)!.headers['idempotency-key']).toBe('key-1');
    expect(JSON.parse(posts.at(-1)!.body)).toEqual(body);
    const page = await api.engagements();
    expect(page.items.filter((e) => e.clientName === 'Ana Souza')).toHaveLength(1);
  });

  it('a validation problem → "invalid" with the field errors', async () => {
    const error = await rejection(
      api.startEngagement(
        { clientName: '', clientEmail: 'nope', programId: 'x', overallGoals: [] },
        'key-bad',
      ),
    );
    expect(error.kind).toBe('invalid');
    expect(error.fieldErrors).toEqual(
      expect.arrayContaining(['clientName: Enter the client’s name.', 'clientEmail: Enter a valid email.']),
    );
  });

  it('lists the firm’s sponsors and cohorts, and filters engagements by cohort', async () => {
    expect(await api.sponsors()).toEqual([{ id: 'sponsor-acme', name: 'Acme Sponsor' }]);
    expect((await api.cohorts()).map((c) => c.name)).toEqual(['Spring leaders']);
    const page = await api.engagements({ cohort: 'cohort-spring' });
    expect(server.requests.at(-1)!.query).toBe('?cohort=cohort-spring');
    expect(page.items).toEqual([]);
  });

  it('sends list filters as query parameters and follows the continuation token', async () => {
    for (const name of ['B One', 'B Two', 'B Three']) {
      await api.startEngagement(
        { clientName: name, clientEmail: 'b@example.com', programId: 'career-6', overallGoals: [] },
        `key-${name}`,
      );
    }
    await api.engagements({ phase: 'contract', flag: 'stalled', overdue: true, pageSize: 10 });
    expect(server.requests.at(-1)!.query).toBe('?phase=contract&flag=stalled&overdue=true&pageSize=10');
    const first = await api.engagements({ pageSize: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.continuationToken).toBeTruthy();
    const second = await api.engagements({ pageSize: 2, continuationToken: first.continuationToken });
    expect(second.items.map((e) => e.id)).not.toContain(first.items[0]!.id);
  });

  it('schedules a session, captures an agreement idempotently and reads both back in the detail', async () => {
    const { id } = await api.startEngagement(
      {
        clientName: 'Priya Natarajan',
        clientEmail: 'priya@example.org',
        programId: 'career-6',
        overallGoals: [],
      },
      'key-priya',
    );
    await api.scheduleSession(id, {
      number: 1,
      startAt: '2025-05-06T09:00:00+02:00',
      timeZoneId: 'Europe/Amsterdam',
    });
    await api.captureAgreement(id, 1, agreement, 'agree-1');
    await api.captureAgreement(id, 1, agreement, 'agree-1');
    const put = server.requests.filter((r) => r.method === 'PUT').at(-1)!;
    expect(put.path).toBe(`/api/engagements/${id}/sessions/1/agreement`);
    expect(put.headers['idempotency-key']).toBe('agree-1');
    const detail = await api.engagement(id);
    expect(detail.sessions).toEqual([
      {
        number: 1,
        startAt: '2025-05-06T09:00:00+02:00',
        timeZoneId: 'Europe/Amsterdam',
        held: false,
        agreementCaptured: true,
      },
    ]);
    expect(detail.actions).toHaveLength(1);
    expect(detail.timeline.filter((t) => t.type === 'session-agreement-captured')).toHaveLength(1);
    await api.markHeld(id, 1);
    expect((await api.engagement(id)).sessions[0]!.held).toBe(true);
  });

  it('starts a follow-up engagement for a client who asked for support again', async () => {
    const created = await api.startEngagement(
      {
        clientName: 'Dana Client',
        clientEmail: 'dana@example.com',
        programId: 'career-6',
        overallGoals: ['Lead a team'],
      },
      'start-follow-up-source',
    );
    const source = server.state.engagements.get(created.id);
    Object.assign(source, { phase: 'maintenance', flags: ['support-requested'] });

    const followUp = await api.followUp(created.id);

    const post = server.requests.at(-1)!;
    expect([post.method, post.path]).toEqual(['POST', `/api/engagements/${created.id}/follow-up`]);
    expect(post.headers.authorization).toBe('Bearer pat_good');
    expect(followUp.id).not.toBe(created.id);
    expect([followUp.clientName, followUp.phase]).toEqual(['Dana Client', 'contract']);
    expect((await api.engagement(created.id)).flags).not.toContain('support-requested');
  });

  it('a follow-up from an engagement that has not graduated → "conflict" with the server’s reason', async () => {
    const created = await api.startEngagement(
      { clientName: 'Sam Client', clientEmail: 'sam@example.com', programId: 'career-6', overallGoals: [] },
      'start-not-graduated',
    );
    const error = await rejection(api.followUp(created.id));
    expect(error.kind).toBe('conflict');
    expect(error.message).toMatch(/graduated/);
  });

  it('fetches a chart as an SVG blob with the token', async () => {
    const { items } = await api.engagements({ pageSize: 1 });
    const blob = await api.chart(items[0]!.id, 'wheel');
    expect(blob.type).toBe('image/svg+xml');
    expect(await blob.text()).toContain('<svg');
    expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer pat_good');
  });

  it('an unknown engagement → "not-found"', async () => {
    expect((await rejection(api.engagement('does-not-exist'))).kind).toBe('not-found');
  });

  it('posts the maintenance plan and reads the badge count', async () => {
    const { items } = await api.engagements({ pageSize: 1 });
    await api.sendMaintenancePlan(items[0]!.id, {
      frameworks: ['GROW for decisions', 'Weekly review'],
      valuesAndStrengths: ['Curiosity'],
      goalTracking: 'Quarterly objectives in a notebook',
      retreatCadence: 'Quarterly',
      supportTriggers: ['A step up to an executive role'],
      outcomes: 'Moved into a renewable-energy leadership role',
    });
    expect(server.state.plans.get(items[0]!.id).retreatCadence).toBe('Quarterly');
    expect(await api.badge()).toBe(0);
  });
});

describe('server URL handling', () => {
  it.each([
    ['127.0.0.1:7071', 'http://127.0.0.1:7071'],
    ['http://localhost:7071/', 'http://localhost:7071'],
    ['coachflow.example.com', 'https://coachflow.example.com'],
    ['https://coachflow.example.com/tenant-a/', 'https://coachflow.example.com/tenant-a'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeServerUrl(input)).toBe(expected);
  });

  it.each(['', 'ftp://x.example.com', 'http://coachflow.example.com', 'https://user:pw@x.example.com'])(
    'rejects %j with a message',
    (input) => {
      expect(() => normalizeServerUrl(input)).toThrow(/\w/);
    },
  );

  it('asks host access for the server origin only, within the manifest optional patterns', () => {
    expect(originPattern('http://127.0.0.1:7071')).toBe('http://127.0.0.1/*');
    expect(originPattern('https://coachflow.example.com/x')).toBe('https://coachflow.example.com/*');
  });
});

describe('CoachFlowApi: refusals the coach can act on', () => {
  it('an agreement for a session that is not scheduled → "conflict" with the server’s reason', async () => {
    const local = await startContractServer({ token: 't' });
    try {
      const client = new CoachFlowApi({ baseUrl: local.url, token: 't' });
      const { id } = await client.startEngagement(
        {
          clientName: 'Chidi Okafor',
          clientEmail: 'chidi@example.com',
          programId: 'career-6',
          overallGoals: [],
        },
        'k',
      );
      const error = await rejection(client.captureAgreement(id, 2, agreement, 'a'));
      expect(error.kind).toBe('conflict');
      expect(error.message).toBe('Session 2 is not scheduled.');
    } finally {
      await local.close();
    }
  });
});

describe('CoachFlowApi: steps the server accepts for later', () => {
  it('a 202 answer → deferred, with the server’s reason; a 200 → applied', async () => {
    const local = await startContractServer({ token: 't' });
    try {
      const client = new CoachFlowApi({ baseUrl: local.url, token: 't' });
      const { id } = await client.startEngagement(
        {
          clientName: 'Mei-Lin Zhang',
          clientEmail: 'mei@example.com',
          programId: 'career-6',
          overallGoals: [],
        },
        'k',
      );
      await client.scheduleSession(id, {
        number: 1,
        startAt: '2026-12-01T10:00:00+01:00',
        timeZoneId: 'Europe/Berlin',
      });
      expect(await client.markHeld(id, 1)).toEqual({
        deferred: true,
        message: 'Marking session 1 held waits for its session agreement.',
      });
      await client.captureAgreement(id, 1, agreement, 'a1');
      expect(await client.markHeld(id, 1)).toEqual({ deferred: false, message: null });
    } finally {
      await local.close();
    }
  });
});
