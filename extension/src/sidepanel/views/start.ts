// "Start engagement": prefill from the current page on the coach's click, pick the program, confirm → POST.

import { ApiError } from '../../shared/api';
import { h } from '../../shared/dom';
import { draftKey } from '../../shared/drafts';
import { draftStore } from '../../shared/env';
import { collect } from '../../shared/forms';
import type { Program, Sponsor } from '../../shared/types';
import type { ViewContext } from '../context';
import { emptyStartFields, toStartRequest, type StartFields } from '../models';
import { describeSource, prefillFromPage } from '../prefill';
import { busy, confirmActions, confirmButton, errorBox, errorList, field, loading, selectField } from '../ui';
import { autosave, isDefiniteRejection } from './autosave';

const KEY = draftKey('start', 'new');

export async function renderStart(ctx: ViewContext): Promise<void> {
  ctx.root.replaceChildren(h('h1', {}, 'Start engagement'), loading('Loading programs…'));
  const drafts = draftStore();
  let programs: Program[];
  let sponsors: Sponsor[];
  try {
    [programs, sponsors] = await Promise.all([ctx.api.programs(), ctx.api.sponsors()]);
  } catch (error) {
    if (!ctx.isStale())
      ctx.root.replaceChildren(
        h('h1', {}, 'Start engagement'),
        errorBox(error, () => renderStart(ctx)),
      );
    return;
  }
  if (ctx.isStale()) return;
  const draft = await drafts.load<StartFields>(KEY);
  let fields: StartFields = { ...emptyStartFields(), ...draft?.fields };

  const messages = h('div', { 'aria-live': 'polite' });
  const saved = h('p', { class: 'hint saved', 'aria-live': 'polite' });
  const prefillButton: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: () =>
        busy(prefillButton, 'Reading the page…', async () => {
          messages.replaceChildren();
          try {
            const found = await prefillFromPage();
            if (!found.name && !found.email) {
              messages.replaceChildren(
                h(
                  'p',
                  { class: 'message' },
                  'No name or email found on this page. Select them and try again, or type them.',
                ),
              );
              return;
            }
            if (found.name)
              form.querySelector<HTMLInputElement>('[data-path="clientName"]')!.value = found.name;
            if (found.email)
              form.querySelector<HTMLInputElement>('[data-path="clientEmail"]')!.value = found.email;
            form.dispatchEvent(new Event('input'));
            messages.replaceChildren(
              h(
                'p',
                { class: 'message success', role: 'status' },
                `Filled from ${describeSource(found.source)}. Check before confirming.`,
              ),
            );
          } catch (error) {
            messages.replaceChildren(errorBox(error));
          }
        }),
    },
    'Fill from this page',
  );

  const form = h(
    'form',
    { novalidate: true, 'aria-label': 'New engagement' },
    h(
      'p',
      { class: 'hint' },
      'Reads the client’s name and email from the page you are on — your selection, an open Gmail or Outlook message, a LinkedIn profile or an email link — only when you click.',
    ),
    prefillButton,
    field('Client name', {
      path: 'clientName',
      value: fields.clientName,
      required: true,
      autocomplete: 'off',
      id: 'client-name',
    }),
    field('Client email', {
      path: 'clientEmail',
      value: fields.clientEmail,
      type: 'email',
      required: true,
      id: 'client-email',
    }),
    selectField(
      'Program',
      [
        { value: '', label: 'Choose a program…' },
        ...programs.map((p) => ({
          value: p.id,
          label: /\bsessions?\b/i.test(p.name) ? p.name : `${p.name} · ${p.sessions} sessions`,
        })),
      ],
      {
        path: 'programId',
        value: fields.programId,
        id: 'program',
        required: true,
      },
    ),
    field('Overall goals (one per line)', {
      path: 'overallGoals',
      value: fields.overallGoals,
      multiline: true,
      id: 'overall-goals',
      hint: 'e.g. “A leadership role in renewable energy within 12–18 months with at least 15% higher total pay”.',
    }),
    sponsors.length
      ? selectField(
          'Sponsor (optional)',
          [{ value: '', label: 'No sponsor' }, ...sponsors.map((s) => ({ value: s.id, label: s.name }))],
          { path: 'sponsorId', value: fields.sponsorId, id: 'sponsor' },
        )
      : null,
    h(
      'div',
      { class: 'row' },
      field('Fee (optional)', {
        path: 'fee',
        value: fields.fee,
        type: 'text',
        id: 'fee',
        placeholder: '1800',
      }),
      field('Currency', { path: 'currency', value: fields.currency, id: 'currency', placeholder: 'EUR' }),
    ),
    saved,
    h('button', { type: 'submit', class: 'primary' }, 'Review and start'),
  );
  if (!programs.length)
    form.prepend(
      h('p', { class: 'message error', role: 'alert' }, 'No programs are set up on the server yet.'),
    );

  const waitForSaves = autosave(form, KEY, () => (fields = collect(form, fields)), saved);
  form.append(
    confirmButton('Clear form', 'Click again to clear the form', async () => {
      await waitForSaves();
      await drafts.clear(KEY);
      await renderStart(ctx);
    }),
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    fields = collect(form, fields);
    const checked = toStartRequest(fields);
    if (!checked.ok) {
      messages.replaceChildren(errorList(checked.errors));
      messages.querySelector<HTMLElement>('[role=alert]')?.focus();
      return;
    }
    const request = checked.value;
    const program = programs.find((p) => p.id === request.programId);
    const confirmButton: HTMLButtonElement = h(
      'button',
      { type: 'button', class: 'primary', id: 'confirm-start' },
      'Confirm and send the contract',
    );
    const confirm = h(
      'div',
      { class: 'confirm', role: 'group', 'aria-labelledby': 'confirm-title', tabindex: '-1' },
      h('h2', { id: 'confirm-title' }, 'Start this engagement?'),
      h(
        'dl',
        {},
        h('dt', {}, 'Client'),
        h('dd', {}, request.clientName, ' ', h('span', { class: 'muted' }, `<${request.clientEmail}>`)),
        h('dt', {}, 'Program'),
        h('dd', {}, program?.name ?? request.programId),
        request.overallGoals.length
          ? [
              h('dt', {}, 'Overall goals'),
              h(
                'dd',
                {},
                h(
                  'ul',
                  {},
                  request.overallGoals.map((g) => h('li', {}, g)),
                ),
              ),
            ]
          : [],
        request.fee !== undefined
          ? [h('dt', {}, 'Fee'), h('dd', {}, `${request.fee} ${request.currency ?? ''}`)]
          : [],
        request.sponsorId
          ? [
              h('dt', {}, 'Sponsor'),
              h('dd', {}, sponsors.find((s) => s.id === request.sponsorId)?.name ?? request.sponsorId),
            ]
          : [],
      ),
      h('p', {}, `The contract email goes to ${request.clientEmail} as soon as you confirm.`),
      request.sponsorId
        ? h(
            'p',
            { class: 'hint' },
            'The sponsor sees the agreed goals and whether sessions took place, never answers or notes.',
          )
        : null,
      confirmActions(confirmButton, 'Back to edit', () => {
        confirm.remove();
        form.hidden = false;
      }),
    );
    confirmButton.addEventListener('click', () =>
      busy(confirmButton, 'Starting…', async () => {
        const idempotencyKey = await drafts.idempotencyKeyFor(KEY, fields);
        try {
          const created = await ctx.api.startEngagement(request, idempotencyKey);
          await drafts.clear(KEY);
          ctx.navigate(`#/engagement/${encodeURIComponent(created.id)}?started=1`);
        } catch (error) {
          if (error instanceof ApiError && isDefiniteRejection(error)) await drafts.rotateKey(KEY);
          messages.replaceChildren(errorBox(error));
        }
      }),
    );
    form.hidden = true;
    messages.replaceChildren();
    form.after(confirm);
    confirm.focus();
  });

  ctx.root.replaceChildren(h('h1', {}, 'Start engagement'), messages, form);
}
