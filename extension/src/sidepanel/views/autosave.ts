import { ApiError } from '../../shared/api';
import { draftStore } from '../../shared/env';

/**
 * Saves the form's fields to its draft on every input, in order (each save waits for the previous one), and
 * says when it last saved. Returns a function that waits for pending saves.
 */
export function autosave<T>(
  form: HTMLElement,
  key: string,
  read: () => T,
  status: HTMLElement,
): () => Promise<void> {
  const drafts = draftStore();
  let chain: Promise<unknown> = Promise.resolve();
  const save = () => {
    const fields = read();
    chain = chain
      .then(() => drafts.save(key, fields))
      .then((draft) => {
        status.textContent = `Draft saved on this device at ${new Date(draft.updatedAt).toLocaleTimeString()}.`;
      })
      .catch(() => {
        status.textContent = 'Could not save the draft on this device.';
      });
  };
  form.addEventListener('input', save);
  form.addEventListener('change', save);
  return () => chain.then(() => undefined);
}

/** A 4xx answer means the server applied nothing: the next attempt is a new write with a new key. */
export function isDefiniteRejection(error: ApiError): boolean {
  return ['invalid', 'conflict', 'forbidden', 'not-found', 'unauthorized'].includes(error.kind);
}
