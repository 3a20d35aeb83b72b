// Local drafts of what the coach is typing (session agreements, maintenance plans, a new engagement), saved
// to storage.local on every input so closing the panel, a crash or a lost network loses nothing.
//
// Each draft carries the Idempotency-Key its submission will use. The key identifies one intended write:
// - it survives retries after an unknown outcome (network down, timeout, 5xx) — the server may have applied
//   the first attempt, and the same key makes the retry a no-op instead of a second write;
// - it is replaced after a definite rejection (4xx: nothing was applied), so a corrected form is a new write;
// - it is deleted with the draft when the server confirms success.

import type { KeyValueArea } from './storage';

export type DraftKind = 'agreement' | 'graduate' | 'start';

export interface Draft<T> {
  fields: T;
  idempotencyKey: string;
  updatedAt: string;
}

export function draftKey(kind: DraftKind, engagementId: string, session?: number): string {
  return ['draft', kind, engagementId, ...(session === undefined ? [] : [String(session)])].join(':');
}

export class DraftStore {
  constructor(
    private readonly area: KeyValueArea,
    private readonly newKey: () => string = () => crypto.randomUUID(),
    private readonly now: () => Date = () => new Date(),
  ) {}

  async load<T>(key: string): Promise<Draft<T> | null> {
    const value = (await this.area.get(key))[key];
    if (!value || typeof value !== 'object') return null;
    const draft = value as Partial<Draft<T>>;
    if (!draft.fields || typeof draft.idempotencyKey !== 'string') return null;
    return draft as Draft<T>;
  }

  /** Saves the fields, keeping the draft's idempotency key (or creating one for a new draft). */
  async save<T>(key: string, fields: T): Promise<Draft<T>> {
    const existing = await this.load<T>(key);
    const draft: Draft<T> = {
      fields,
      idempotencyKey: existing?.idempotencyKey ?? this.newKey(),
      updatedAt: this.now().toISOString(),
    };
    await this.area.set({ [key]: draft });
    return draft;
  }

  /** The key to send with a submission; creates and stores the draft if the form was never saved. */
  async idempotencyKeyFor<T>(key: string, fields: T): Promise<string> {
    return (await this.save(key, fields)).idempotencyKey;
  }

  /** After a definite rejection nothing was written, so the next attempt is a new write with a new key. */
  async rotateKey(key: string): Promise<void> {
    const existing = await this.load(key);
    if (existing) await this.area.set({ [key]: { ...existing, idempotencyKey: this.newKey() } });
  }

  async clear(key: string): Promise<void> {
    await this.area.remove(key);
  }
}
