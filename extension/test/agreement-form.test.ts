// @vitest-environment jsdom
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CoachFlowApi } from '../src/shared/api';
import { draftKey } from '../src/shared/drafts';
import { MemoryArea } from '../src/shared/storage';
import type { ViewContext } from '../src/sidepanel/context';
import { agreementSection } from '../src/sidepanel/views/agreement-form';

const local = new MemoryArea();
beforeAll(() => vi.stubGlobal('chrome', { storage: { local } }));
afterAll(() => vi.unstubAllGlobals());

const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

const paths = (root: Element) =>
  [...root.querySelectorAll<HTMLElement>('[data-path]')].map((el) => `${el.dataset.path}#${el.id}`);

const button = (root: Element, name: string) =>
  [...root.querySelectorAll<HTMLButtonElement>('button')].find(
    (b) => (b.getAttribute('aria-label') ?? b.textContent) === name,
  );

describe('The session agreement form', () => {
  it('Given one goal, when the coach adds a goal and removes it, then the form and its draft are as before', async () => {
    const key = draftKey('agreement', 'e-1', 1);
    const ctx: ViewContext = {
      api: new CoachFlowApi({ baseUrl: 'http://127.0.0.1:9', token: 'pat_unused' }),
      serverUrl: 'http://127.0.0.1:9',
      me: null,
      root: document.createElement('main'),
      navigate: () => {},
      isStale: () => false,
    };
    const root = agreementSection({
      ctx,
      id: 'e-1',
      number: 1,
      key,
      saved: null,
      savedAt: null,
      captured: false,
      sessionZone: null,
    });
    document.body.replaceChildren(root);
    const initial = [
      'grow.goal#grow-goal',
      'grow.reality#grow-reality',
      'grow.options#grow-options',
      'grow.will#grow-will',
      'goals.0.description#goal-0-description',
      'goals.0.measure#goal-0-measure',
      'actions.0.description#action-0-description',
      'actions.0.dueAt#action-0-due',
      'actions.0.obstacle#action-0-obstacle',
      'actions.0.mitigation#action-0-mitigation',
      'accountability#accountability',
      'takeaways#takeaways',
      'sharedNotes#shared-notes',
      'privateCoachNotes#private-notes',
    ];
    expect(paths(root)).toEqual(initial);
    expect(button(root, 'Remove goal 1')).toBeUndefined(); // the only goal cannot be removed
    const description = root.querySelector<HTMLInputElement>('#goal-0-description')!;
    description.value = 'Hold five informational interviews';
    description.dispatchEvent(new Event('input', { bubbles: true }));

    button(root, 'Add a goal')!.click();

    expect(paths(root)).toEqual([
      ...initial.slice(0, 6),
      'goals.1.description#goal-1-description',
      'goals.1.measure#goal-1-measure',
      ...initial.slice(6),
    ]);
    expect(root.querySelector('#goal-1-smart')?.getAttribute('aria-live')).toBe('polite');
    expect(document.activeElement?.id).toBe('goal-1-description');
    expect(button(root, 'Remove goal 1')).toBeDefined();
    await until(() => (local.data.get(key) as { fields?: { goals: unknown[] } })?.fields?.goals.length === 2);

    button(root, 'Remove goal 2')!.click();

    expect(paths(root)).toEqual(initial);
    expect(root.querySelector<HTMLInputElement>('#goal-0-description')!.value).toBe(
      'Hold five informational interviews',
    );
    expect(root.querySelector('#goal-1-smart')).toBeNull();
    expect(button(root, 'Remove goal 1')).toBeUndefined();
    await until(() => (local.data.get(key) as { fields?: { goals: unknown[] } })?.fields?.goals.length === 1);
  });
});
