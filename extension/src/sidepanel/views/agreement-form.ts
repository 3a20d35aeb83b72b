// The session agreement form, top to bottom as the coach fills it in: GROW, 1–3 measurable goals (each with a
// SMART hint), the actions the client proposed, accountability, leading indicators, takeaways and notes.
// It autosaves to a local draft on every keystroke; submitting reuses the draft's Idempotency-Key.

import { ApiError } from '../../shared/api';
import { formatDateTime, h } from '../../shared/dom';
import { draftStore } from '../../shared/env';
import { collect } from '../../shared/forms';
import type { ViewContext } from '../context';
import {
  MAX_GOALS,
  emptyAgreementFields,
  smartHint,
  toAgreementRequest,
  type AgreementFields,
} from '../models';
import { busy, confirmButton, errorBox, errorList, field, section } from '../ui';
import { autosave, isDefiniteRejection } from './autosave';

export interface AgreementContext {
  ctx: ViewContext;
  /** The engagement's id. */
  id: string;
  /** The session's number. */
  number: number;
  /** Where the draft is stored (draftKey('agreement', id, number)). */
  key: string;
  /** The draft's fields, or null when there is no draft. */
  saved: AgreementFields | null;
  /** When the draft was last saved, or null. */
  savedAt: string | null;
  /** An agreement is already captured: sending again replaces it. */
  captured: boolean;
  /** The session's time zone (the client's), which due dates are read in. */
  sessionZone: string | null;
}

/** Changes the form's structure (adds or removes a row), rebuilds it, saves the draft and moves focus. */
type Change = (mutate: (fields: AgreementFields) => void, focusPath?: string) => void;

export function agreementSection(agreement: AgreementContext): HTMLElement {
  const { key, savedAt, captured } = agreement;
  let fields: AgreementFields = { ...emptyAgreementFields(), ...agreement.saved };
  const drafts = draftStore();
  const messages = h('div', { 'aria-live': 'polite' });
  const savedStatus = draftStatus(savedAt);
  const form = h('form', { novalidate: true, 'aria-label': 'Session agreement', id: 'agreement-form' });
  const read = () => (fields = collect(form, fields));
  const waitForSaves = autosave(form, key, read, savedStatus);

  const change: Change = (mutate, focusPath) => {
    read();
    mutate(fields);
    build();
    form.dispatchEvent(new Event('input')); // save the structural change too
    if (focusPath) form.querySelector<HTMLElement>(`[data-path="${focusPath}"]`)?.focus();
  };
  const discard = async () => {
    await waitForSaves();
    await drafts.clear(key);
    fields = emptyAgreementFields();
    build();
    savedStatus.textContent = 'Draft discarded.';
  };
  const build = () =>
    form.replaceChildren(...formFields(fields, change), savedStatus, formActions(captured, discard));
  build();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    read();
    // The fields are read again once pending saves finish, so the draft keeps anything typed meanwhile.
    submitAgreement(agreement, form, () => fields, messages, waitForSaves);
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

/** Every part of the form, in the order the coach sees it. */
function formFields(fields: AgreementFields, change: Change): Node[] {
  return [
    growFieldset(fields),
    h('h3', {}, 'Session goals (1–3, measurable)'),
    ...goalFieldsets(fields, change),
    fields.goals.length < MAX_GOALS
      ? addButton('Add a goal', () =>
          change(
            (f) => void f.goals.push({ description: '', measure: '' }),
            `goals.${fields.goals.length}.description`,
          ),
        )
      : h('p', { class: 'hint' }, 'Three goals is the most for one session.'),
    h('h3', {}, 'Actions the client proposed'),
    ...actionFieldsets(fields, change),
    addButton('Add an action', () =>
      change(
        (f) => void f.actions.push({ description: '', dueAt: '', obstacle: '', mitigation: '' }),
        `actions.${fields.actions.length}.description`,
      ),
    ),
    field('Accountability the client finds meaningful', {
      path: 'accountability',
      value: fields.accountability,
      multiline: true,
      rows: 2,
      id: 'accountability',
    }),
    h('h3', {}, 'Leading indicators'),
    ...indicatorFieldsets(fields, change),
    addButton('Add a leading indicator', () =>
      change(
        (f) => void f.leadingIndicators.push({ name: '', target: '' }),
        `leadingIndicators.${fields.leadingIndicators.length}.name`,
      ),
    ),
    ...notesFields(fields),
  ];
}

function growFieldset(fields: AgreementFields): HTMLElement {
  return h(
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
  );
}

/** One fieldset per session goal; its SMART hint follows what the coach types. The last goal stays. */
function goalFieldsets(fields: AgreementFields, change: Change): HTMLElement[] {
  return fields.goals.map((g, i) => {
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
}

function actionFieldsets(fields: AgreementFields, change: Change): HTMLElement[] {
  return fields.actions.map((a, i) =>
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
}

function indicatorFieldsets(fields: AgreementFields, change: Change): HTMLElement[] {
  return fields.leadingIndicators.map((l, i) =>
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
}

/** Takeaways, then the notes: shared ones the client sees, private ones only the coach does. */
function notesFields(fields: AgreementFields): HTMLElement[] {
  return [
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
  ];
}

/** Says whether the form was restored from a draft; autosave updates it as the coach types. */
function draftStatus(savedAt: string | null): HTMLElement {
  return h(
    'p',
    { class: 'hint saved', id: 'draft-status', 'aria-live': 'polite' },
    savedAt
      ? `Draft restored from this device (saved ${formatDateTime(savedAt)}).`
      : 'Drafts save on this device as you type.',
  );
}

function formActions(captured: boolean, discard: () => Promise<void>): HTMLElement {
  return h(
    'div',
    { class: 'actions' },
    h(
      'button',
      { type: 'submit', class: 'primary', id: 'submit-agreement' },
      captured ? 'Update agreement' : 'Capture agreement',
    ),
    confirmButton('Discard draft', 'Click again to discard what you typed', discard),
  );
}

function addButton(label: string, onclick: () => void): HTMLButtonElement {
  return h('button', { type: 'button', class: 'secondary', onclick }, label);
}

function removeButton(label: string, onclick: () => void): HTMLButtonElement {
  return h('button', { type: 'button', class: 'link', onclick, 'aria-label': label }, 'Remove');
}

/**
 * Checks the agreement, then sends it with the draft's Idempotency-Key and opens the engagement. On failure the
 * draft stays; after a definite rejection the key is replaced, since the server applied nothing.
 */
function submitAgreement(
  agreement: AgreementContext,
  form: HTMLFormElement,
  current: () => AgreementFields,
  messages: HTMLElement,
  waitForSaves: () => Promise<void>,
): void {
  const { ctx, id, number, key, sessionZone } = agreement;
  const checked = toAgreementRequest(current(), sessionZone ?? undefined);
  if (!checked.ok) {
    messages.replaceChildren(errorList(checked.errors));
    messages.scrollIntoView?.({ block: 'nearest' });
    return;
  }
  const drafts = draftStore();
  const submit = form.querySelector<HTMLButtonElement>('#submit-agreement')!;
  busy(submit, 'Sending…', async () => {
    await waitForSaves();
    const idempotencyKey = await drafts.idempotencyKeyFor(key, current());
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
}
