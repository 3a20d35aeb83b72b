// Engagement detail: what it waits for, sessions, open actions with check-ins, timeline, intake answers,
// reassessment charts, documents, and sending the client a copy of their data.

import { formatDate, formatDateTime, h, safeHref } from '../../shared/dom';
import type { EngagementDetail } from '../../shared/types';
import { flagLabel, humanize, SUPPORT_REQUESTED, type ViewContext } from '../context';
import { errorBox, loading, section, success } from '../ui';
import { dueWords, waitingForWords } from '../words';
import { clientCopy } from './client-copy';
import { followUpOffer } from './follow-up';

export async function renderDetail(ctx: ViewContext, id: string, params: URLSearchParams): Promise<void> {
  ctx.root.replaceChildren(loading('Loading engagement…'));
  let e: EngagementDetail;
  try {
    e = await ctx.api.engagement(id);
  } catch (error) {
    if (!ctx.isStale())
      ctx.root.replaceChildren(
        h('h1', {}, 'Engagement'),
        errorBox(error, () => renderDetail(ctx, id, params)),
      );
    return;
  }
  if (ctx.isStale()) return;
  const base = `#/engagement/${encodeURIComponent(e.id)}`;
  const sessions = [...e.sessions].sort((a, b) => a.number - b.number);
  const nextSession =
    sessions.find((s) => !s.agreementCaptured)?.number ?? (sessions.at(-1)?.number ?? 0) + 1;
  const deferred = params.has('note')
    ? ` Accepted; it applies later${params.get('note') ? `: ${params.get('note')}` : '.'}`
    : '';
  const notice = params.get('followUpOf')
    ? success(
        'Follow-up engagement started. The client’s details and goals were carried over; the new contract is on its way to them.',
      )
    : params.get('started')
      ? success('Engagement started. The contract email is on its way to the client.')
      : params.get('agreement')
        ? success(
            `Session ${params.get('agreement')} agreement ${deferred ? 'sent.' + deferred : 'captured.'}`,
          )
        : params.get('plan')
          ? success(`Maintenance plan ${deferred ? 'sent.' + deferred : 'sent to the client to confirm.'}`)
          : null;

  ctx.root.replaceChildren(
    notice ?? '',
    h('h1', {}, e.clientName),
    h(
      'p',
      { class: 'meta' },
      h('span', { class: 'phase' }, humanize(e.phase)),
      isNotable(e.status) ? ` · ${humanize(e.status)}` : '',
      e.overdue ? h('span', { class: 'due overdue' }, ' · Overdue') : '',
    ),
    e.waitingFor ? h('p', {}, 'Waiting for: ', waitingForWords(e.waitingFor)) : '',
    e.flags.length
      ? h(
          'ul',
          { class: 'chips', 'aria-label': 'Flags' },
          e.flags.map((f) => h('li', { class: 'chip' }, flagLabel(f))),
        )
      : '',
    followUpOffer(ctx, e, e.flags.includes(SUPPORT_REQUESTED)),
    // Sessions and graduation are behind a client who is in maintenance or done.
    ['maintenance', 'closed', 'ended'].includes(e.phase)
      ? ''
      : h(
          'nav',
          { class: 'actions', 'aria-label': 'Engagement actions' },
          h(
            'a',
            { class: 'button primary', href: `${base}/session/${nextSession}` },
            `Session ${nextSession}`,
          ),
          h('a', { class: 'button secondary', href: `${base}/graduate` }, 'Graduate'),
        ),
    e.due.length
      ? section(
          'Due',
          h(
            'ul',
            {},
            e.due.map((d) => h('li', {}, dueWords(d.what), ' — ', formatDateTime(d.dueAt))),
          ),
        )
      : '',
    section(
      'Sessions',
      sessions.length
        ? h(
            'ul',
            { class: 'plain' },
            sessions.map((s) =>
              h(
                'li',
                {},
                h('a', { href: `${base}/session/${s.number}` }, `Session ${s.number}`),
                ': ',
                s.startAt ? formatDateTime(s.startAt, s.timeZoneId) : 'not scheduled',
                s.agreementCaptured ? ' · agreement captured' : '',
                s.held ? ' · held' : '',
              ),
            ),
          )
        : h('p', { class: 'empty' }, 'No sessions yet.'),
    ),
    section(
      'Open actions',
      (() => {
        const open = e.actions.filter((a) => !['done', 'dropped'].includes(a.status));
        return open.length
          ? h(
              'ul',
              { class: 'cards' },
              open.map((a) =>
                h(
                  'li',
                  { class: 'card' },
                  h('p', { class: 'card-title' }, a.description),
                  h(
                    'p',
                    { class: 'meta' },
                    humanize(a.status),
                    a.dueAt ? ` · due ${formatDate(a.dueAt)}` : '',
                  ),
                  a.checkIns.length
                    ? h(
                        'ul',
                        { class: 'checkins', 'aria-label': 'Check-ins' },
                        a.checkIns.map((c) =>
                          h(
                            'li',
                            {},
                            formatDate(c.at),
                            ': ',
                            humanize(c.status),
                            c.learning ? h('span', {}, ' — “', c.learning, '”') : '',
                          ),
                        ),
                      )
                    : h('p', { class: 'hint' }, 'No check-ins yet.'),
                ),
              ),
            )
          : h('p', { class: 'empty' }, 'No open actions.');
      })(),
    ),
    section(
      'Timeline',
      e.timeline.length
        ? h(
            'ol',
            { class: 'timeline' },
            [...e.timeline]
              .sort((a, b) => b.at.localeCompare(a.at))
              .map((t) =>
                h(
                  'li',
                  {},
                  h('time', { datetime: t.at }, formatDateTime(t.at)),
                  h('span', {}, t.summary || humanize(t.type)),
                ),
              ),
          )
        : h('p', { class: 'empty' }, 'Nothing has happened yet.'),
    ),
    section(
      'Intake answers',
      e.intake?.answers.length
        ? h(
            'dl',
            { class: 'answers' },
            e.intake.answers.flatMap((a) => [
              h('dt', {}, a.prompt || a.itemId),
              h('dd', {}, answerText(a.value)),
            ]),
          )
        : h('p', { class: 'empty' }, 'The client hasn’t completed the intake questionnaire yet.'),
    ),
    section('Reassessment charts', charts(ctx, e)),
    e.reassessments.length
      ? section(
          'Reassessments',
          h(
            'ul',
            { class: 'plain' },
            e.reassessments.map((r) =>
              h(
                'li',
                {},
                `#${r.number} — ${formatDate(r.at)}: `,
                r.deltas
                  .filter((d) => typeof d.fromBaseline === 'number')
                  .map((d) => `${humanize(d.itemId)} ${signed(d.fromBaseline as number)} since baseline`)
                  .join(', ') || 'no change from the baseline yet',
              ),
            ),
          ),
        )
      : '',
    section(
      'Documents',
      e.documents.length
        ? h(
            'ul',
            { class: 'plain' },
            e.documents.map((d) => {
              const href = safeHref(d.url);
              const label = `${d.name} (${humanize(d.kind)})`;
              return h(
                'li',
                {},
                href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, label) : label,
              );
            }),
          )
        : h('p', { class: 'empty' }, 'No documents yet.'),
    ),
    clientCopy(ctx, e),
  );
}

function charts(ctx: ViewContext, e: EngagementDetail): HTMLElement {
  const box = h('div', { class: 'charts' });
  if (!e.baseline?.length && !e.reassessments.length && !e.intake?.answers.length) {
    box.append(
      h('p', { class: 'empty' }, 'Charts appear once the client has rated the Wheel of Life in the intake.'),
    );
    return box;
  }
  for (const [chart, alt] of [
    ['wheel', 'Wheel of Life: baseline compared with the latest ratings'],
    ['trend', 'Trend of the scaled questions across reassessments'],
  ] as const) {
    const figure = h('figure', {}, h('figcaption', {}, alt), loading('Loading chart…'));
    box.append(figure);
    ctx.api
      .chart(e.id, chart)
      .then((blob) => {
        const url = URL.createObjectURL(blob);
        const img = h('img', { src: url, alt, width: 320 });
        img.addEventListener('load', () => URL.revokeObjectURL(url), { once: true });
        figure.querySelector('.loading')?.replaceWith(img);
      })
      .catch(() =>
        figure
          .querySelector('.loading')
          ?.replaceWith(h('p', { class: 'hint' }, 'This chart isn’t available yet.')),
      );
  }
  return box;
}

/** "running"/"active" is the normal state and not worth a word; paused, completed, ended are. */
export function isNotable(status: string | null | undefined): boolean {
  return Boolean(status) && !['active', 'running'].includes(String(status).toLowerCase());
}

function answerText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (Array.isArray(value)) return value.map(answerText).join(', ');
  return JSON.stringify(value);
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}
