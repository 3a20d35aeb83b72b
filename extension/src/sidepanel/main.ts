// The side panel: a hash router over the views. The hash keeps the place, so reopening or reloading the
// panel lands on the same view and its draft.

import { configuredApi } from '../shared/env';
import { h } from '../shared/dom';
import type { ViewContext } from './context';
import { errorBox } from './ui';
import { renderDetail } from './views/detail';
import { renderEngagements } from './views/engagements';
import { renderGraduate } from './views/graduate';
import { renderSession } from './views/session';
import { renderStart } from './views/start';

const root = document.getElementById('view')!;
const who = document.getElementById('who')!;
let generation = 0;

async function route(): Promise<void> {
  const mine = ++generation;
  const hash = location.hash || '#/engagements';
  const [path = '', query = ''] = hash.slice(1).split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  markCurrent(parts[0] ?? 'engagements');

  const configured = await configuredApi();
  if (mine !== generation) return;
  if (!configured) {
    who.textContent = '';
    root.replaceChildren(
      h('h1', {}, 'Welcome to CoachFlow'),
      h(
        'p',
        {},
        'Connect the extension to your CoachFlow server: enter its address and your personal access token in Options.',
      ),
      h(
        'button',
        { type: 'button', class: 'primary', onclick: () => chrome.runtime.openOptionsPage() },
        'Open Options',
      ),
    );
    return;
  }
  const ctx: ViewContext = {
    ...configured,
    me: null,
    root,
    navigate: (next) => {
      if (next === location.hash) void route();
      else location.hash = next;
    },
    isStale: () => mine !== generation,
  };
  ctx.api
    .me()
    .then((me) => {
      if (mine === generation) who.textContent = `${me.name} · ${me.firmName}`;
    })
    .catch(() => {
      if (mine === generation) who.textContent = '';
    });

  try {
    if (parts[0] === 'start') await renderStart(ctx);
    else if (
      parts[0] === 'engagement' &&
      parts[1] &&
      parts[2] === 'session' &&
      /^\d+$/.test(parts[3] ?? '')
    ) {
      await renderSession(ctx, parts[1], Number(parts[3]));
    } else if (parts[0] === 'engagement' && parts[1] && parts[2] === 'graduate')
      await renderGraduate(ctx, parts[1]);
    else if (parts[0] === 'engagement' && parts[1]) await renderDetail(ctx, parts[1], params);
    else await renderEngagements(ctx, params);
    if (mine === generation) root.querySelector<HTMLElement>('h1')?.setAttribute('tabindex', '-1');
  } catch (error) {
    if (mine === generation) root.replaceChildren(errorBox(error, () => void route()));
  }
}

function markCurrent(section: string): void {
  document.querySelectorAll<HTMLAnchorElement>('nav.top a[data-section]').forEach((a) => {
    if (a.dataset.section === section || (section === 'engagement' && a.dataset.section === 'engagements')) {
      a.setAttribute('aria-current', 'page');
    } else a.removeAttribute('aria-current');
  });
}

window.addEventListener('hashchange', () => {
  void route().then(() => root.querySelector<HTMLElement>('h1')?.focus({ preventScroll: false }));
});
document.getElementById('open-options')!.addEventListener('click', () => chrome.runtime.openOptionsPage());
chrome.storage.onChanged.addListener((changes, area) => {
  const settingsChanged = ['serverUrl', 'token', 'rememberToken'].some((k) => k in changes);
  if ((area === 'local' || area === 'session') && settingsChanged) void route();
});
void route();
