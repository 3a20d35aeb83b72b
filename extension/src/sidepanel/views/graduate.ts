// Graduate: draft the self-coaching maintenance plan and send it for the client's confirmation.

import { h } from '../../shared/dom';
import { draftKey } from '../../shared/drafts';
import { draftStore } from '../../shared/env';
import { collect } from '../../shared/forms';
import type { ViewContext } from '../context';
import { emptyGraduateFields, toMaintenancePlan, type GraduateFields } from '../models';
import { busy, errorBox, errorList, field, loading, selectField } from '../ui';
import { autosave } from './autosave';

export async function renderGraduate(ctx: ViewContext, id: string): Promise<void> {
  ctx.root.replaceChildren(loading('Loading engagement…'));
  let clientName: string;
  try {
    clientName = (await ctx.api.engagement(id)).clientName;
  } catch (error) {
    if (!ctx.isStale())
      ctx.root.replaceChildren(
        h('h1', {}, 'Graduate'),
        errorBox(error, () => renderGraduate(ctx, id)),
      );
    return;
  }
  const key = draftKey('graduate', id);
  const draft = await draftStore().load<GraduateFields>(key);
  if (ctx.isStale()) return;
  let fields: GraduateFields = { ...emptyGraduateFields(), ...draft?.fields };
  const messages = h('div', { 'aria-live': 'polite' });
  const saved = h(
    'p',
    { class: 'hint saved', 'aria-live': 'polite' },
    draft ? 'Draft restored from this device.' : 'Drafts save on this device as you type.',
  );
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Send to the client to confirm');
  const form = h(
    'form',
    { novalidate: true, 'aria-label': 'Maintenance plan' },
    h(
      'p',
      { class: 'hint' },
      'The client’s own “career operating system” for after the engagement. Lists take one item per line.',
    ),
    field('Frameworks that resonated', {
      path: 'frameworks',
      value: fields.frameworks,
      multiline: true,
      id: 'frameworks',
      placeholder: 'GROW for decisions\nA weekly review',
    }),
    field('Values and strengths', {
      path: 'valuesAndStrengths',
      value: fields.valuesAndStrengths,
      multiline: true,
      id: 'values',
    }),
    field('How the client tracks goals', {
      path: 'goalTracking',
      value: fields.goalTracking,
      multiline: true,
      rows: 2,
      id: 'goal-tracking',
    }),
    selectField(
      'Self-coaching retreat',
      ['Monthly', 'Quarterly', 'Twice a year', 'Yearly'].map((v) => ({ value: v, label: v })),
      { path: 'retreatCadence', value: fields.retreatCadence, id: 'retreat' },
    ),
    field('Triggers for seeking support again', {
      path: 'supportTriggers',
      value: fields.supportTriggers,
      multiline: true,
      id: 'triggers',
      placeholder: 'An industry shift\nA step up to an executive role\nStagnation',
    }),
    field('Outcomes of the engagement', {
      path: 'outcomes',
      value: fields.outcomes,
      multiline: true,
      rows: 2,
      id: 'outcomes',
    }),
    saved,
    submit,
  );
  autosave(form, key, () => (fields = collect(form, fields)), saved);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    fields = collect(form, fields);
    const checked = toMaintenancePlan(fields);
    if (!checked.ok) {
      messages.replaceChildren(errorList(checked.errors));
      return;
    }
    busy(submit, 'Sending…', async () => {
      try {
        const outcome = await ctx.api.sendMaintenancePlan(id, checked.value);
        await draftStore().clear(key);
        const note = outcome.deferred ? `&note=${encodeURIComponent(outcome.message ?? '')}` : '';
        ctx.navigate(`#/engagement/${encodeURIComponent(id)}?plan=1${note}`);
      } catch (error) {
        messages.replaceChildren(
          errorBox(error),
          h('p', { class: 'hint' }, 'Your draft is kept on this device.'),
        );
      }
    });
  });
  ctx.root.replaceChildren(
    h('p', {}, h('a', { href: `#/engagement/${encodeURIComponent(id)}` }, `← ${clientName}`)),
    h('h1', {}, 'Graduate'),
    messages,
    form,
  );
}
