// "My engagements": phase, what each waits for, overdue items and flags, with filters and the badge count.

import { publishBadge } from '../../shared/env';
import { formatDate, h } from '../../shared/dom';
import type { EngagementSummary } from '../../shared/types';
import { FLAGS, PHASES, flagLabel, humanize, type ViewContext } from '../context';
import { waitingForWords } from '../words';
import { busy, errorBox, loading, selectField } from '../ui';
import { isNotable } from './detail';

export async function renderEngagements(ctx: ViewContext, params: URLSearchParams): Promise<void> {
  const phase = params.get('phase') ?? '';
  const flag = params.get('flag') ?? '';
  const overdue = params.get('overdue') === 'true';
  const cohort = params.get('cohort') ?? '';
  // Cohorts only matter to a firm that imports them: without any (or if listing them fails) there is no cohort filter.
  const cohorts = await ctx.api.cohorts().catch(() => []);
  if (ctx.isStale()) return;

  const applyFilters = () => {
    const next = new URLSearchParams();
    const data = new FormData(filters);
    for (const key of ['phase', 'flag', 'cohort']) if (data.get(key)) next.set(key, String(data.get(key)));
    if (data.get('overdue')) next.set('overdue', 'true');
    const qs = next.toString();
    ctx.navigate(`#/engagements${qs ? `?${qs}` : ''}`);
  };

  const filters = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter engagements', onsubmit: (e: Event) => e.preventDefault() },
    selectField(
      'Phase',
      [{ value: '', label: 'Any phase' }, ...PHASES.map((p) => ({ value: p, label: humanize(p) }))],
      {
        id: 'filter-phase',
        value: phase,
      },
    ),
    selectField('Flag', [{ value: '', label: 'Any flag' }, ...FLAGS], { id: 'filter-flag', value: flag }),
    cohorts.length || cohort
      ? selectField(
          'Cohort',
          [
            { value: '', label: 'Any cohort' },
            ...cohorts.map((c) => ({ value: c.id, label: c.name })),
            ...(cohort && !cohorts.some((c) => c.id === cohort) ? [{ value: cohort, label: cohort }] : []),
          ],
          { id: 'filter-cohort', value: cohort },
        )
      : null,
    h(
      'div',
      { class: 'field checkbox' },
      h('input', { type: 'checkbox', id: 'filter-overdue', name: 'overdue', checked: overdue }),
      h('label', { for: 'filter-overdue' }, 'Overdue only'),
    ),
  );
  filters.querySelector<HTMLSelectElement>('#filter-phase')!.name = 'phase';
  filters.querySelector<HTMLSelectElement>('#filter-flag')!.name = 'flag';
  const cohortSelect = filters.querySelector<HTMLSelectElement>('#filter-cohort');
  if (cohortSelect) cohortSelect.name = 'cohort';
  filters.addEventListener('change', applyFilters);

  const cohortNames = new Map(cohorts.map((c) => [c.id, c.name]));
  const badge = h('p', { class: 'badge-line', role: 'status' });
  const list = h('ul', { class: 'cards', 'aria-label': 'Engagements' });
  const status = h('div', {}, loading('Loading engagements…'));
  const more = h('div', {});
  ctx.root.replaceChildren(h('h1', {}, 'My engagements'), badge, filters, status, list, more);

  ctx.api
    .badge()
    .then((count) => {
      publishBadge(count).catch(() => undefined);
      if (ctx.isStale()) return;
      badge.textContent = count
        ? `${count} engagement${count === 1 ? '' : 's'} need${count === 1 ? 's' : ''} you (overdue or flagged).`
        : 'Nothing overdue or flagged.';
    })
    .catch(() => undefined); // the list's own error says what is wrong

  const load = async (token: string | null) => {
    const page = await ctx.api.engagements({
      phase,
      flag,
      overdue,
      cohort,
      pageSize: 25,
      continuationToken: token,
    });
    if (ctx.isStale()) return;
    status.replaceChildren();
    list.append(...page.items.map((item) => card(item, cohortNames)));
    if (!list.children.length) {
      status.replaceChildren(
        h(
          'p',
          { class: 'empty' },
          phase || flag || overdue || cohort ? 'No engagements match these filters.' : 'No engagements yet. ',
          phase || flag || overdue || cohort ? null : h('a', { href: '#/start' }, 'Start one'),
        ),
      );
    }
    more.replaceChildren();
    if (page.continuationToken) {
      const button: HTMLButtonElement = h(
        'button',
        {
          type: 'button',
          onclick: () =>
            busy(button, 'Loading…', () => load(page.continuationToken)).catch((e) =>
              more.replaceChildren(errorBox(e)),
            ),
        },
        'Load more',
      );
      more.append(button);
    }
  };

  try {
    await load(null);
  } catch (error) {
    if (!ctx.isStale()) status.replaceChildren(errorBox(error, () => ctx.navigate(location.hash)));
  }
}

function card(item: EngagementSummary, cohortNames: Map<string, string>): HTMLElement {
  return h(
    'li',
    { class: `card${item.overdue ? ' overdue' : ''}` },
    h('a', { href: `#/engagement/${encodeURIComponent(item.id)}`, class: 'card-title' }, item.clientName),
    h(
      'p',
      { class: 'meta' },
      h('span', { class: 'phase' }, humanize(item.phase)),
      isNotable(item.status) ? ` · ${humanize(item.status)}` : '',
      item.cohort ? ` · ${cohortNames.get(item.cohort) ?? item.cohort}` : '',
    ),
    item.waitingFor ? h('p', {}, 'Waiting for: ', waitingForWords(item.waitingFor)) : null,
    item.dueAt
      ? h(
          'p',
          { class: item.overdue ? 'due overdue' : 'due' },
          item.overdue ? 'Overdue since ' : 'Due ',
          formatDate(item.dueAt),
        )
      : item.overdue
        ? h('p', { class: 'due overdue' }, 'Overdue')
        : null,
    item.flags.length
      ? h(
          'ul',
          { class: 'chips', 'aria-label': 'Flags' },
          item.flags.map((f) => h('li', { class: 'chip' }, flagLabel(f))),
        )
      : null,
  );
}
