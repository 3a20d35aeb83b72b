// The follow-up offer on a graduated client's engagement: when the client asked for support again (the
// server's `support-requested` flag) it says so first; in one step (after one confirmation) the coach starts
// a follow-up engagement, with the client's details and goals carried over and a new contract to sign.

import { h } from '../../shared/dom';
import type { EngagementDetail } from '../../shared/types';
import type { ViewContext } from '../context';
import { confirmedAction } from '../ui';

/** Phases of a client who has graduated: a follow-up engagement can start from them. */
const GRADUATED = ['maintenance', 'closed'];

/** Whether the coach is offered a follow-up engagement from this one. */
export function offersFollowUp(
  e: Pick<EngagementDetail, 'phase' | 'flags'>,
  supportRequested: boolean,
): boolean {
  return supportRequested || GRADUATED.includes(e.phase);
}

export function followUpOffer(
  ctx: ViewContext,
  e: EngagementDetail,
  supportRequested: boolean,
): HTMLElement | '' {
  if (!offersFollowUp(e, supportRequested)) return '';
  const action = confirmedAction({
    id: 'follow-up',
    offer: 'Start a follow-up engagement',
    offerClass: supportRequested ? 'primary' : 'secondary',
    title: `Start a follow-up engagement with ${e.clientName}?`,
    explain: `${e.clientName}’s details and goals carry over to a new engagement on the same program. They get a new contract to sign; this engagement keeps its history.`,
    confirm: 'Start it and send the contract',
    back: 'Not now',
    working: 'Starting…',
    run: async () => {
      const created = await ctx.api.followUp(e.id);
      ctx.navigate(`#/engagement/${encodeURIComponent(created.id)}?followUpOf=${encodeURIComponent(e.id)}`);
    },
  });
  return h(
    'section',
    { class: supportRequested ? 'callout attention' : 'callout', 'aria-labelledby': 'follow-up-title' },
    h(
      'h2',
      { id: 'follow-up-title' },
      supportRequested ? `${e.clientName} asked for support again` : 'Coaching again?',
    ),
    h(
      'p',
      {},
      supportRequested
        ? 'In a maintenance check-in they reported one of the triggers in their plan (a step up, an industry shift, feeling stuck). Their answers are in the documents below.'
        : 'If the client wants support again, you can start a follow-up engagement from this one.',
    ),
    ...action,
  );
}
