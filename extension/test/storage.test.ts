import { describe, expect, it } from 'vitest';
import { DraftStore, draftKey } from '../src/shared/drafts';
import { SettingsStore } from '../src/shared/settings';
import { MemoryArea } from '../src/shared/storage';

describe('Settings: where the token lives', () => {
  it('Given "remember" is off, when saved, then the token is only in session storage', async () => {
    const local = new MemoryArea();
    const session = new MemoryArea();
    const store = new SettingsStore(local, session);
    await store.save({ serverUrl: 'http://127.0.0.1:7071', token: 'pat_1', remember: false });
    expect(session.data.get('token')).toBe('pat_1');
    expect(local.data.has('token')).toBe(false);
    expect(await store.load()).toEqual({
      serverUrl: 'http://127.0.0.1:7071',
      token: 'pat_1',
      remember: false,
    });
  });

  it('Given "remember" is on, when saved, then the token is in local storage and not in session', async () => {
    const local = new MemoryArea();
    const session = new MemoryArea();
    const store = new SettingsStore(local, session);
    await store.save({ serverUrl: 'https://c.example.com', token: 'pat_1', remember: false });
    await store.save({ serverUrl: 'https://c.example.com', token: 'pat_2', remember: true });
    expect(local.data.get('token')).toBe('pat_2');
    expect(session.data.has('token')).toBe(false);
    expect((await store.load()).token).toBe('pat_2');
  });

  it('When the coach switches "remember" off again, then no copy is left on disk', async () => {
    const local = new MemoryArea();
    const session = new MemoryArea();
    const store = new SettingsStore(local, session);
    await store.save({ serverUrl: 'https://c.example.com', token: 'pat_2', remember: true });
    await store.save({ serverUrl: 'https://c.example.com', token: 'pat_2', remember: false });
    expect(local.data.has('token')).toBe(false);
    expect(session.data.get('token')).toBe('pat_2');
  });

  it('Given the browser restarted (session cleared) and no "remember", then there is no token', async () => {
    const local = new MemoryArea();
    const store = new SettingsStore(local, new MemoryArea());
    await store.save({ serverUrl: 'https://c.example.com', token: 'pat_1', remember: false });
    const afterRestart = new SettingsStore(local, new MemoryArea());
    expect(await afterRestart.load()).toEqual({
      serverUrl: 'https://c.example.com',
      token: '',
      remember: false,
    });
  });

  it('forgetToken removes it everywhere', async () => {
    const local = new MemoryArea();
    const session = new MemoryArea();
    const store = new SettingsStore(local, session);
    await store.save({ serverUrl: 'https://c.example.com', token: 'pat_1', remember: true });
    await store.forgetToken();
    expect((await store.load()).token).toBe('');
  });
});

describe('Drafts', () => {
  let n = 0;
  const keys = () => `key-${++n}`;

  it('are keyed per engagement and session', () => {
    expect(draftKey('agreement', 'e1', 2)).toBe('draft:agreement:e1:2');
    expect(draftKey('graduate', 'e1')).toBe('draft:graduate:e1');
    expect(draftKey('agreement', 'e1', 1)).not.toBe(draftKey('agreement', 'e2', 1));
  });

  it('Given a draft, when the coach keeps typing, then the fields update and the idempotency key stays', async () => {
    const area = new MemoryArea();
    const drafts = new DraftStore(area, keys);
    const key = draftKey('agreement', 'e1', 1);
    const first = await drafts.save(key, { goal: 'Clar' });
    const second = await drafts.save(key, { goal: 'Clarity on next move' });
    expect(second.idempotencyKey).toBe(first.idempotencyKey);
    expect((await drafts.load<{ goal: string }>(key))!.fields.goal).toBe('Clarity on next move');
  });

  it('Given the panel was closed, when it opens again, then the draft is still there (storage outlives the page)', async () => {
    const area = new MemoryArea();
    await new DraftStore(area, keys).save(draftKey('agreement', 'e1', 1), { goal: 'Keep me' });
    const reopened = new DraftStore(area, keys);
    expect((await reopened.load<{ goal: string }>(draftKey('agreement', 'e1', 1)))!.fields.goal).toBe(
      'Keep me',
    );
  });

  it('Given a submit failed with an unknown outcome, the retry uses the same key; after a rejection, a new one', async () => {
    const area = new MemoryArea();
    const drafts = new DraftStore(area, keys);
    const key = draftKey('agreement', 'e9', 3);
    const attempt = await drafts.idempotencyKeyFor(key, { goal: 'x' });
    const retry = await drafts.idempotencyKeyFor(key, { goal: 'x' });
    expect(retry).toBe(attempt);
    await drafts.rotateKey(key);
    const corrected = await drafts.idempotencyKeyFor(key, { goal: 'y' });
    expect(corrected).not.toBe(attempt);
  });

  it('When the server confirms, then the draft is cleared, and a new draft gets a new key', async () => {
    const area = new MemoryArea();
    const drafts = new DraftStore(area, keys);
    const key = draftKey('start', 'new');
    const used = await drafts.idempotencyKeyFor(key, { clientName: 'Ana' });
    await drafts.clear(key);
    expect(await drafts.load(key)).toBeNull();
    expect(await drafts.idempotencyKeyFor(key, { clientName: 'Bo' })).not.toBe(used);
  });

  it('ignores a corrupted stored value instead of crashing the panel', async () => {
    const area = new MemoryArea();
    await area.set({ 'draft:agreement:e1:1': 'garbage' });
    expect(await new DraftStore(area, keys).load('draft:agreement:e1:1')).toBeNull();
  });
});
