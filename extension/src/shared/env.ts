// The extension's real storage and API wiring, used by the side panel and the options page.

import { CoachFlowApi } from './api';
import { DraftStore } from './drafts';
import { SettingsStore } from './settings';

export const BADGE_KEY = 'badgeCount';

export function settingsStore(): SettingsStore {
  return new SettingsStore(chrome.storage.local, chrome.storage.session);
}

export function draftStore(): DraftStore {
  return new DraftStore(chrome.storage.local);
}

/** The API for the saved settings, or null when the coach hasn't configured a server and token yet. */
export async function configuredApi(): Promise<{ api: CoachFlowApi; serverUrl: string } | null> {
  const settings = await settingsStore().load();
  if (!settings.serverUrl || !settings.token) return null;
  return {
    api: new CoachFlowApi({ baseUrl: settings.serverUrl, token: settings.token }),
    serverUrl: settings.serverUrl,
  };
}

/** Hands the count to the service worker, which owns the toolbar badge (it listens to storage.session). */
export async function publishBadge(count: number | null): Promise<void> {
  await chrome.storage.session.set({ [BADGE_KEY]: count });
}
