// "Send the client a copy of their data": on a client's request (GDPR Art. 20) the coach has CoachFlow email them a
// link, valid for seven days, to download everything recorded about their coaching (the coach's private notes left
// out). The email goes to the client's address on the engagement, so nobody types an address here; one confirmation.

import { formatDateTime, h } from '../../shared/dom';
import type { EngagementDetail } from '../../shared/types';
import type { ViewContext } from '../context';
import { confirmedAction, success } from '../ui';

export function clientCopy(ctx: ViewContext, e: EngagementDetail): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': 'client-copy-title' },
    h('h2', { id: 'client-copy-title' }, 'Client’s data'),
    h(
      'p',
      { class: 'hint' },
      'If the client asks for a copy of what is recorded about them, send them a download link by email.',
    ),
    ...confirmedAction({
      id: 'client-copy',
      offer: 'Send the client a copy of their data',
      title: `Email ${e.clientName} a link to their data?`,
      explain: `The link goes to ${e.clientName}’s email address on this engagement and works for 7 days. It downloads a copy of their agreements, answers, reassessments and documents; your private session notes are left out.`,
      confirm: 'Email the link',
      back: 'Cancel',
      working: 'Sending…',
      run: async () => {
        const sent = await ctx.api.sendClientDataLink(e.id);
        return success(
          `Sent. ${e.clientName} has an email with the link; it works until ${formatDateTime(sent.expiresAt)}.`,
        );
      },
    }),
  );
}
