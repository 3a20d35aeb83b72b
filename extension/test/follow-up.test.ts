// @vitest-environment jsdom
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoachFlowApi } from '../src/shared/api';
import type { EngagementDetail } from '../src/shared/types';
import { flagLabel, type ViewContext } from '../src/sidepanel/context';
import { renderDetail } from '../src/sidepanel/views/detail';
import { startContractServer } from './support/contract-server.mjs';

type Server = Awaited<ReturnType<typeof startContractServer>>;
let server: Server;
let api: CoachFlowApi;

beforeAll(async () => {
  server = await startContractServer({ token: 'pat_good' });
  api = new CoachFlowApi({ baseUrl: server.url, token: 'pat_good' });
});
afterAll(() => server.close());

async function engagementIn(phase: string, flags: string[], key: string): Promise<string> {
  const created = await api.startEngagement(
    {
      clientName: 'Dana Client',
      clientEmail: `${key}@example.com`,
      programId: 'career-6',
      overallGoals: ['Lead a team'],
    },
    key,
  );
  Object.assign(server.state.engagements.get(created.id), { phase, flags });
  return created.id;
}

function context(navigated: string[]): ViewContext {
  const root = document.createElement('main');
  document.body.replaceChildren(root);
  return {
    api,
    serverUrl: server.url,
    me: null,
    root,
    navigate: (hash) => navigated.push(hash),
    isStale: () => false,
  };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(check()).toBe(true);
};

describe('A client who asked for support again', () => {
  it('shows the support-requested flag in words and offers the follow-up engagement first', async () => {
    const id = await engagementIn('maintenance', ['support-requested'], 'support-1');
    const ctx = context([]);

    await renderDetail(ctx, id, new URLSearchParams());

    const chips = [...ctx.root.querySelectorAll('ul.chips li')].map((li) => li.textContent);
    expect(chips).toEqual(['Support requested']);
    expect(ctx.root.querySelector('#follow-up-title')?.textContent).toBe(
      'Dana Client asked for support again',
    );
    const offer = ctx.root.querySelector<HTMLButtonElement>('#follow-up')!;
    expect(offer.className).toContain('primary');
    expect(
      ctx.root.querySelector<HTMLElement>('#confirm-follow-up')!.closest<HTMLElement>('.confirm')!.hidden,
    ).toBe(true);
  });

  it('starts the follow-up after one confirmation and opens the new engagement', async () => {
    const id = await engagementIn('maintenance', ['support-requested'], 'support-2');
    const navigated: string[] = [];
    const ctx = context(navigated);
    await renderDetail(ctx, id, new URLSearchParams());

    ctx.root.querySelector<HTMLButtonElement>('#follow-up')!.click();
    const confirm = ctx.root.querySelector<HTMLButtonElement>('#confirm-follow-up')!;
    expect(confirm.closest<HTMLElement>('.confirm')!.hidden).toBe(false);
    expect(server.requests.some((r) => r.path.endsWith('/follow-up'))).toBe(false); // nothing before the confirmation
    confirm.click();

    await until(() => navigated.length === 1);
    const newId = decodeURIComponent(navigated[0]!.match(/^#\/engagement\/([^?]+)\?followUpOf=/)![1]!);
    const created: EngagementDetail = await api.engagement(newId);
    expect([created.clientName, created.phase]).toEqual(['Dana Client', 'contract']);
    expect(server.requests.filter((r) => r.path === `/api/engagements/${id}/follow-up`)).toHaveLength(1);
  });

  it('a refusal is shown as the server said it, and nothing navigates', async () => {
    const id = await engagementIn('maintenance', [], 'support-3');
    const navigated: string[] = [];
    const ctx = context(navigated);
    await renderDetail(ctx, id, new URLSearchParams());
    server.state.engagements.get(id).phase = 'sessions'; // moved on meanwhile

    ctx.root.querySelector<HTMLButtonElement>('#follow-up')!.click();
    ctx.root.querySelector<HTMLButtonElement>('#confirm-follow-up')!.click();

    await until(() => ctx.root.querySelector('[role=alert]') !== null);
    expect(ctx.root.querySelector('[role=alert]')!.textContent).toMatch(/graduated/);
    expect(navigated).toEqual([]);
  });

  it('an engagement still in coaching offers no follow-up', async () => {
    const id = await engagementIn('sessions', [], 'support-4');
    const ctx = context([]);

    await renderDetail(ctx, id, new URLSearchParams());

    expect(ctx.root.querySelector('#follow-up')).toBeNull();
  });

  it('names every flag the server raises in words', () => {
    expect(flagLabel('support-requested')).toBe('Support requested');
    expect(flagLabel('client-email-bouncing')).toBe('Client email bouncing');
  });
});
