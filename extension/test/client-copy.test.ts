// @vitest-environment jsdom
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoachFlowApi } from '../src/shared/api';
import type { ViewContext } from '../src/sidepanel/context';
import { renderDetail } from '../src/sidepanel/views/detail';
import { startContractServer } from './support/contract-server.mjs';

type Server = Awaited<ReturnType<typeof startContractServer>>;
let server: Server;

beforeAll(async () => {
  server = await startContractServer({ token: 'pat_good' });
});
afterAll(() => server.close());

function context(api: CoachFlowApi): ViewContext {
  const root = document.createElement('main');
  document.body.replaceChildren(root);
  return { api, serverUrl: server.url, me: null, root, navigate: () => {}, isStale: () => false };
}

async function engagement(api: CoachFlowApi, key: string): Promise<string> {
  const created = await api.startEngagement(
    {
      clientName: 'Dana Client',
      clientEmail: `${key}@example.com`,
      programId: 'career-6',
      overallGoals: ['Lead a team'],
    },
    key,
  );
  return created.id;
}

const linkRequests = () => server.requests.filter((r) => r.path.endsWith('/client-export-link'));

const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(check()).toBe(true);
};

describe('Sending a client a copy of their data', () => {
  it('asks once, sends nothing before the confirmation, then emails the link to the address on the engagement', async () => {
    const api = new CoachFlowApi({ baseUrl: server.url, token: 'pat_good' });
    const id = await engagement(api, 'copy-1');
    const ctx = context(api);
    await renderDetail(ctx, id, new URLSearchParams());

    const offer = ctx.root.querySelector<HTMLButtonElement>('#client-copy')!;
    expect(offer.textContent).toBe('Send the client a copy of their data');
    offer.click();
    const confirm = ctx.root.querySelector<HTMLButtonElement>('#confirm-client-copy')!;
    expect(confirm.closest<HTMLElement>('.confirm')!.hidden).toBe(false);
    expect(ctx.root.querySelector('#client-copy-confirm-title')?.textContent).toBe(
      'Email Dana Client a link to their data?',
    );
    expect(linkRequests()).toHaveLength(0);

    confirm.click();
    await until(() => ctx.root.querySelector('[role=status]') !== null);

    expect(linkRequests()).toHaveLength(1);
    expect(linkRequests()[0]).toMatchObject({
      method: 'POST',
      path: `/api/engagements/${id}/client-export-link`,
    });
    expect(linkRequests()[0].body).toBe(''); // no address is typed or sent: the server uses the engagement's
    expect(server.state.clientLinks.at(-1)).toMatchObject({ engagementId: id, to: 'copy-1@example.com' });
    expect(ctx.root.querySelector('[role=status]')?.textContent).toMatch(
      /^Sent\. Dana Client has an email with the link; it works until .+\.$/,
    );
    expect(confirm.closest<HTMLElement>('.confirm')!.hidden).toBe(true);
    expect(offer.hidden).toBe(false);
  });

  it('shows the server’s reason when it refuses, and keeps the confirmation open to try again', async () => {
    const api = new CoachFlowApi({ baseUrl: server.url, token: 'pat_good' });
    const id = await engagement(api, 'copy-2');
    const ctx = context(api);
    await renderDetail(ctx, id, new URLSearchParams());
    // The token is revoked while the detail is open: the send is refused.
    ctx.api = new CoachFlowApi({ baseUrl: server.url, token: 'pat_revoked' });

    ctx.root.querySelector<HTMLButtonElement>('#client-copy')!.click();
    ctx.root.querySelector<HTMLButtonElement>('#confirm-client-copy')!.click();
    await until(() => ctx.root.querySelector('[role=alert]') !== null);

    expect(ctx.root.querySelector('[role=alert]')?.textContent).toMatch(/token/i);
    expect(
      ctx.root.querySelector<HTMLElement>('#confirm-client-copy')!.closest<HTMLElement>('.confirm')!.hidden,
    ).toBe(false);
    expect(server.state.clientLinks.some((l: { engagementId: string }) => l.engagementId === id)).toBe(false);
  });
});
