// Session: schedule it, capture the session agreement (GROW, 1–3 measurable goals, client-proposed actions
// with due dates, obstacles and mitigations, accountability, leading indicators, takeaways, notes), mark held.
// The agreement form is in agreement-form.ts.

import { formatDateTime, h } from '../../shared/dom';
import { draftKey } from '../../shared/drafts';
import { draftStore } from '../../shared/env';
import type { EngagementDetail } from '../../shared/types';
import type { ViewContext } from '../context';
import { zonedIso, type AgreementFields } from '../models';
import { busy, errorBox, field, loading, section, selectField, success } from '../ui';
import { agreementSection } from './agreement-form';

export async function renderSession(ctx: ViewContext, id: string, number: number): Promise<void> {
  ctx.root.replaceChildren(loading('Loading session…'));
  let engagement: EngagementDetail;
  try {
    engagement = await ctx.api.engagement(id);
  } catch (error) {
    if (!ctx.isStale())
      ctx.root.replaceChildren(
        h('h1', {}, `Session ${number}`),
        errorBox(error, () => renderSession(ctx, id, number)),
      );
    return;
  }
  if (ctx.isStale()) return;
  const drafts = draftStore();
  const key = draftKey('agreement', id, number);
  const draft = await drafts.load<AgreementFields>(key);
  if (ctx.isStale()) return;
  const session = engagement.sessions.find((s) => s.number === number);
  const back = `#/engagement/${encodeURIComponent(id)}`;

  ctx.root.replaceChildren(
    h('p', {}, h('a', { href: back }, `← ${engagement.clientName}`)),
    h('h1', {}, `Session ${number}`),
    scheduleSection(ctx, id, number, session?.startAt ?? null, session?.timeZoneId ?? null),
    agreementSection({
      ctx,
      id,
      number,
      key,
      saved: draft?.fields ?? null,
      savedAt: draft?.updatedAt ?? null,
      captured: session?.agreementCaptured ?? false,
      sessionZone: session?.timeZoneId ?? null,
    }),
    heldSection(ctx, id, number, session?.held ?? false),
  );
}

function scheduleSection(
  ctx: ViewContext,
  id: string,
  number: number,
  startAt: string | null,
  zone: string | null,
): HTMLElement {
  const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [here];
  const chosen = zone ?? here;
  const choices = Array.from(new Set([chosen, here, 'UTC', ...zones])).map((z) => ({
    value: z,
    label: z.replace(/_/g, ' '),
  }));
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, startAt ? 'Reschedule' : 'Schedule');
  const form = h(
    'form',
    { 'aria-label': 'Schedule the session' },
    startAt
      ? h('p', {}, 'Scheduled for ', formatDateTime(startAt, zone))
      : h('p', { class: 'hint' }, 'Not scheduled yet.'),
    field('Date and time', { id: 'session-start', type: 'datetime-local', required: true }),
    selectField('Time zone (the client’s)', choices, { id: 'session-zone', value: chosen }),
    status,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const local = form.querySelector<HTMLInputElement>('#session-start')!.value;
    const timeZoneId = form.querySelector<HTMLSelectElement>('#session-zone')!.value;
    let iso: string;
    try {
      iso = zonedIso(local, timeZoneId);
    } catch (error) {
      status.replaceChildren(errorBox(error));
      return;
    }
    busy(submit, 'Scheduling…', async () => {
      try {
        const outcome = await ctx.api.scheduleSession(id, { number, startAt: iso, timeZoneId });
        status.replaceChildren(
          outcome.deferred
            ? success(
                `Accepted for ${formatDateTime(iso, timeZoneId)}. ${outcome.message ?? 'It applies when the engagement is ready.'}`,
              )
            : success(`Scheduled for ${formatDateTime(iso, timeZoneId)}. The client gets an invitation.`),
        );
      } catch (error) {
        status.replaceChildren(errorBox(error));
      }
    });
  });
  return section('Schedule', form);
}

function heldSection(ctx: ViewContext, id: string, number: number, held: boolean): HTMLElement {
  const status = h('div', { 'aria-live': 'polite' });
  if (held) return section('After the session', h('p', {}, 'This session is marked as held.'));
  const button: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: () =>
        busy(button, 'Saving…', async () => {
          try {
            const outcome = await ctx.api.markHeld(id, number);
            status.replaceChildren(
              outcome.deferred
                ? success(`Noted. ${outcome.message ?? 'It applies once the session agreement is captured.'}`)
                : success('Marked as held. The client gets the session summary.'),
            );
            button.remove();
          } catch (error) {
            status.replaceChildren(errorBox(error));
          }
        }),
    },
    'Mark session as held',
  );
  return section('After the session', button, status);
}
