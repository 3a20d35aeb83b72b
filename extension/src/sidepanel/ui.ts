// Shared pieces of the side panel: status and error messages, busy buttons, labelled fields.

import { ApiError } from '../shared/api';
import { h, uid } from '../shared/dom';

export function errorBox(error: unknown, onRetry?: () => void): HTMLElement {
  const message = error instanceof Error ? error.message : String(error);
  const box = h('div', { class: 'message error', role: 'alert' }, h('p', {}, message));
  if (error instanceof ApiError) {
    const details = error.fieldErrors;
    if (details.length)
      box.append(
        h(
          'ul',
          {},
          details.map((d) => h('li', {}, d)),
        ),
      );
    if (error.kind === 'unauthorized' || error.kind === 'bad-response') {
      box.append(
        h('button', { type: 'button', onclick: () => chrome.runtime.openOptionsPage() }, 'Open Options'),
      );
    }
  }
  if (onRetry) box.append(h('button', { type: 'button', onclick: onRetry }, 'Try again'));
  return box;
}

export function errorList(errors: string[]): HTMLElement {
  return h(
    'div',
    { class: 'message error', role: 'alert' },
    h('p', {}, 'Please check:'),
    h(
      'ul',
      {},
      errors.map((e) => h('li', {}, e)),
    ),
  );
}

export function success(text: string): HTMLElement {
  return h('div', { class: 'message success', role: 'status' }, h('p', {}, text));
}

export function loading(text = 'Loading…'): HTMLElement {
  return h('p', { class: 'loading', role: 'status', 'aria-busy': 'true' }, text);
}

/** Disables the button and shows progress while the work runs; restores it afterwards. */
export async function busy<T>(button: HTMLButtonElement, label: string, work: () => Promise<T>): Promise<T> {
  const original = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = label;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = original;
  }
}

interface FieldOptions {
  path?: string;
  value?: string;
  type?: string;
  required?: boolean;
  multiline?: boolean;
  rows?: number;
  hint?: string;
  placeholder?: string;
  autocomplete?: string;
  id?: string;
}

/** A labelled input or textarea; the hint is tied to it with aria-describedby. */
export function field(label: string, options: FieldOptions = {}): HTMLElement {
  const id = options.id ?? uid('f');
  const hintId = options.hint ? `${id}-hint` : undefined;
  const common = {
    id,
    name: options.path ?? id,
    'data-path': options.path,
    required: options.required,
    placeholder: options.placeholder,
    autocomplete: options.autocomplete ?? 'off',
    'aria-describedby': hintId,
  };
  const control = options.multiline
    ? h('textarea', { ...common, rows: options.rows ?? 3 })
    : h('input', { ...common, type: options.type ?? 'text' });
  control.value = options.value ?? '';
  return h(
    'div',
    { class: 'field' },
    h(
      'label',
      { for: id },
      label,
      options.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null,
    ),
    control,
    options.hint ? h('p', { class: 'hint', id: hintId }, options.hint) : null,
  );
}

export function selectField(
  label: string,
  choices: { value: string; label: string }[],
  options: { path?: string; value?: string; id?: string; required?: boolean } = {},
): HTMLElement {
  const id = options.id ?? uid('s');
  const select = h(
    'select',
    { id, name: options.path ?? id, 'data-path': options.path, required: options.required },
    choices.map((c) => h('option', { value: c.value }, c.label)),
  );
  select.value = options.value ?? '';
  return h('div', { class: 'field' }, h('label', { for: id }, label), select);
}

/**
 * A button that needs a second click within a few seconds: an in-panel confirmation that works with the
 * keyboard and screen readers (window.confirm is unreliable in side panels).
 */
export function confirmButton(
  label: string,
  confirmLabel: string,
  onConfirm: () => void | Promise<void>,
): HTMLButtonElement {
  let armed: ReturnType<typeof setTimeout> | null = null;
  const button: HTMLButtonElement = h('button', { type: 'button', class: 'link' }, label);
  button.addEventListener('click', async () => {
    if (!armed) {
      button.textContent = confirmLabel;
      armed = setTimeout(() => {
        armed = null;
        button.textContent = label;
      }, 5_000);
      return;
    }
    clearTimeout(armed);
    armed = null;
    button.textContent = label;
    await onConfirm();
  });
  return button;
}

export function section(title: string, ...children: (Node | null | false | undefined)[]): HTMLElement {
  const id = uid('sec');
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** The buttons of a confirmation step: the confirming one, and a secondary one that goes back. */
export function confirmActions(
  confirmButton: HTMLButtonElement,
  backLabel: string,
  onBack: () => void,
): HTMLElement {
  return h(
    'div',
    { class: 'actions' },
    confirmButton,
    h('button', { type: 'button', class: 'secondary', onclick: onBack }, backLabel),
  );
}

export interface ConfirmedActionOptions {
  /** The offer button's id; the confirming button is `confirm-{id}`, the confirmation's title `{id}-confirm-title`. */
  id: string;
  offer: string;
  offerClass?: 'primary' | 'secondary';
  title: string;
  explain: string;
  confirm: string;
  back: string;
  working: string;
  /** The work, once confirmed. What it returns is shown (and the confirmation closes); a failure is shown in words. */
  run: () => Promise<HTMLElement | void>;
}

/**
 * A button that opens a confirmation (what will happen, the confirming button and a way back): nothing is sent until
 * the coach confirms. Returns the offer, the confirmation and the message area, in that order.
 */
export function confirmedAction(o: ConfirmedActionOptions): HTMLElement[] {
  const messages = h('div', { 'aria-live': 'polite' });
  const confirmButton: HTMLButtonElement = h(
    'button',
    { type: 'button', class: 'primary', id: `confirm-${o.id}` },
    o.confirm,
  );
  const close = (): void => {
    confirm.hidden = true;
    offer.hidden = false;
    offer.focus();
  };
  const confirm = h(
    'div',
    {
      class: 'confirm',
      role: 'group',
      'aria-labelledby': `${o.id}-confirm-title`,
      tabindex: '-1',
      hidden: true,
    },
    h('h3', { id: `${o.id}-confirm-title` }, o.title),
    h('p', {}, o.explain),
    confirmActions(confirmButton, o.back, close),
  );
  const offer: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: o.offerClass ?? 'secondary',
      id: o.id,
      onclick: () => {
        messages.replaceChildren();
        offer.hidden = true;
        confirm.hidden = false;
        confirm.focus();
      },
    },
    o.offer,
  );
  confirmButton.addEventListener('click', () =>
    busy(confirmButton, o.working, async () => {
      try {
        const done = await o.run();
        if (done) {
          close();
          messages.replaceChildren(done);
        }
      } catch (error) {
        messages.replaceChildren(errorBox(error));
      }
    }),
  );
  return [offer, confirm, messages];
}
