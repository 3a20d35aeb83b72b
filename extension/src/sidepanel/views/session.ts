// Session: schedule it, capture the session agreement (GROW, 1–3 measurable goals, client-proposed actions
// with due dates, obstacles and mitigations, accountability, leading indicators, takeaways, notes), mark held.
// The agreement autosaves to a local draft on every keystroke; submitting reuses the draft's Idempotency-Key.

import { ApiError } from '../../shared/api';
import { formatDateTime, h } from '../../shared/dom';
import { draftKey } from '../../shared/drafts';
import { draftStore } from '../../shared/env';
import { collect } from '../../shared/forms';
import type { EngagementDetail } from '../../shared/types';
import type { ViewContext } from '../context';
import {
  MAX_GOALS,
  emptyAgreementFields,
  smartHint,
  toAgreementRequest,
  zonedIso,
  type AgreementFields,
} from '../models';
import {
  busy,
  confirmButton,
  errorBox,
  errorList,
  field,
  loading,
  section,
  selectField,
  success,
} from '../ui';
import { autosave, isDefiniteRejection } from './autosave';

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
    agreementSection(
      ctx,
      id,
      number,
      key,
      draft?.fields ?? null,
      draft?.updatedAt ?? null,
      session?.agreementCaptured ?? false,
      session?.timeZoneId ?? null,
    ),
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

function agreementSection(
  ctx: ViewContext,
  id: string,
  number: number,
  key: string,
  saved: AgreementFields | null,
  savedAt: string | null,
  captured: boolean,
  sessionZone: string | null,
): HTMLElement {
  let fields: AgreementFields = { ...emptyAgreementFields(), ...saved };
  const drafts = draftStore();
  const messages = h('div', { 'aria-live': 'polite' });
  const savedStatus = h(
    'p',
    { class: 'hint saved', id: 'draft-status', 'aria-live': 'polite' },
    savedAt
      ? `Draft restored from this device (saved ${formatDateTime(savedAt)}).`
      : 'Drafts save on this device as you type.',
  );
  const form = h('form', { novalidate: true, 'aria-label': 'Session agreement', id: 'agreement-form' });
  const waitForSaves = autosave(form, key, () => (fields = collect(form, fields)), savedStatus);

  const change = (mutate: (f: AgreementFields) => void, focusPath?: string) => {
    fields = collect(form, fields);
    mutate(fields);
    build();
    form.dispatchEvent(new Event('input')); // save the structural change too
    if (focusPath) form.querySelector<HTMLElement>(`[data-path="${focusPath}"]`)?.focus();
  };

  const removeButton = (label: string, onclick: () => void) =>
    h('button', { type: 'button', class: 'link', onclick, 'aria-label': label }, 'Remove');

  const build = () => {
    const goals = fields.goals.map((g, i) => {
      const hint = h(
        'p',
        { class: 'hint smart', id: `goal-${i}-smart`, 'aria-live': 'polite' },
        smartHint(g.description, g.measure),
      );
      const group = h(
        'fieldset',
        { class: 'group' },
        h('legend', {}, `Goal ${i + 1}`),
        field('What the client wants to achieve', {
          path: `goals.${i}.description`,
          value: g.description,
          id: `goal-${i}-description`,
        }),
        field('Measure: how you will both know it worked', {
          path: `goals.${i}.measure`,
          value: g.measure,
          id: `goal-${i}-measure`,
        }),
        hint,
        fields.goals.length > 1
          ? removeButton(`Remove goal ${i + 1}`, () => change((f) => void f.goals.splice(i, 1)))
          : null,
      );
      group.addEventListener('input', () => {
        const d = group.querySelector<HTMLInputElement>(`#goal-${i}-description`)!.value;
        const m = group.querySelector<HTMLInputElement>(`#goal-${i}-measure`)!.value;
        hint.textContent = smartHint(d, m);
      });
      return group;
    });
    const actions = fields.actions.map((a, i) =>
      h(
        'fieldset',
        { class: 'group' },
        h('legend', {}, `Action ${i + 1}`),
        field('Step the client proposed', {
          path: `actions.${i}.description`,
          value: a.description,
          id: `action-${i}-description`,
        }),
        field('Due date', {
          path: `actions.${i}.dueAt`,
          value: a.dueAt,
          type: 'date',
          id: `action-${i}-due`,
        }),
        field('Obstacle the client anticipates', {
          path: `actions.${i}.obstacle`,
          value: a.obstacle,
          id: `action-${i}-obstacle`,
        }),
        field('Mitigation', {
          path: `actions.${i}.mitigation`,
          value: a.mitigation,
          id: `action-${i}-mitigation`,
        }),
        removeButton(`Remove action ${i + 1}`, () => change((f) => void f.actions.splice(i, 1))),
      ),
    );
    const indicators = fields.leadingIndicators.map((l, i) =>
      h(
        'fieldset',
        { class: 'group' },
        h('legend', {}, `Leading indicator ${i + 1}`),
        field('Indicator', {
          path: `leadingIndicators.${i}.name`,
          value: l.name,
          id: `indicator-${i}-name`,
          placeholder: 'Informational interviews held',
        }),
        field('Target', {
          path: `leadingIndicators.${i}.target`,
          value: l.target,
          id: `indicator-${i}-target`,
          placeholder: '5 by the end of the quarter',
        }),
        removeButton(`Remove leading indicator ${i + 1}`, () =>
          change((f) => void f.leadingIndicators.splice(i, 1)),
        ),
      ),
    );
    const submit: HTMLButtonElement = h(
      'button',
      { type: 'submit', class: 'primary', id: 'submit-agreement' },
      captured ? 'Update agreement' : 'Capture agreement',
    );
    form.replaceChildren(
      h(
        'fieldset',
        { class: 'group' },
        h('legend', {}, 'GROW'),
        field('Goal — today’s topic and the outcome the client wants', {
          path: 'grow.goal',
          value: fields.grow.goal,
          multiline: true,
          rows: 2,
          id: 'grow-goal',
          required: true,
        }),
        field('Reality — the situation, without story or blame', {
          path: 'grow.reality',
          value: fields.grow.reality,
          multiline: true,
          rows: 2,
          id: 'grow-reality',
        }),
        field('Options — brainstormed without judgment', {
          path: 'grow.options',
          value: fields.grow.options,
          multiline: true,
          rows: 2,
          id: 'grow-options',
        }),
        field('Will — the way forward', {
          path: 'grow.will',
          value: fields.grow.will,
          multiline: true,
          rows: 2,
          id: 'grow-will',
        }),
      ),
      h('h3', {}, 'Session goals (1–3, measurable)'),
      ...goals,
      fields.goals.length < MAX_GOALS
        ? h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              onclick: () =>
                change(
                  (f) => void f.goals.push({ description: '', measure: '' }),
                  `goals.${fields.goals.length}.description`,
                ),
            },
            'Add a goal',
          )
        : h('p', { class: 'hint' }, 'Three goals is the most for one session.'),
      h('h3', {}, 'Actions the client proposed'),
      ...actions,
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () =>
            change(
              (f) => void f.actions.push({ description: '', dueAt: '', obstacle: '', mitigation: '' }),
              `actions.${fields.actions.length}.description`,
            ),
        },
        'Add an action',
      ),
      field('Accountability the client finds meaningful', {
        path: 'accountability',
        value: fields.accountability,
        multiline: true,
        rows: 2,
        id: 'accountability',
      }),
      h('h3', {}, 'Leading indicators'),
      ...indicators,
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () =>
            change(
              (f) => void f.leadingIndicators.push({ name: '', target: '' }),
              `leadingIndicators.${fields.leadingIndicators.length}.name`,
            ),
        },
        'Add a leading indicator',
      ),
      field('Takeaways — what the client takes with them', {
        path: 'takeaways',
        value: fields.takeaways,
        multiline: true,
        rows: 2,
        id: 'takeaways',
      }),
      field('Shared notes (the client sees these)', {
        path: 'sharedNotes',
        value: fields.sharedNotes,
        multiline: true,
        rows: 2,
        id: 'shared-notes',
      }),
      field('Private coach notes (never shown to the client or a sponsor)', {
        path: 'privateCoachNotes',
        value: fields.privateCoachNotes,
        multiline: true,
        rows: 2,
        id: 'private-notes',
      }),
      savedStatus,
      h(
        'div',
        { class: 'actions' },
        submit,
        confirmButton('Discard draft', 'Click again to discard what you typed', async () => {
          await waitForSaves();
          await drafts.clear(key);
          fields = emptyAgreementFields();
          build();
          savedStatus.textContent = 'Draft discarded.';
        }),
      ),
    );
  };
  build();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    fields = collect(form, fields);
    const checked = toAgreementRequest(fields, sessionZone ?? undefined);
    if (!checked.ok) {
      messages.replaceChildren(errorList(checked.errors));
      messages.scrollIntoView?.({ block: 'nearest' });
      return;
    }
    const submit = form.querySelector<HTMLButtonElement>('#submit-agreement')!;
    busy(submit, 'Sending…', async () => {
      await waitForSaves();
      const idempotencyKey = await drafts.idempotencyKeyFor(key, fields);
      try {
        const outcome = await ctx.api.captureAgreement(id, number, checked.value, idempotencyKey);
        await drafts.clear(key);
        const note = outcome.deferred ? `&note=${encodeURIComponent(outcome.message ?? '')}` : '';
        ctx.navigate(`#/engagement/${encodeURIComponent(id)}?agreement=${number}${note}`);
      } catch (error) {
        if (error instanceof ApiError && isDefiniteRejection(error)) await drafts.rotateKey(key);
        messages.replaceChildren(
          errorBox(error),
          h(
            'p',
            { class: 'hint' },
            'Your draft is kept on this device. Sending again never captures it twice.',
          ),
        );
      }
    });
  });

  return section(
    'Session agreement',
    captured
      ? h(
          'p',
          { class: 'hint' },
          'An agreement is already captured for this session; sending again replaces it.',
        )
      : null,
    messages,
    form,
  );
}
