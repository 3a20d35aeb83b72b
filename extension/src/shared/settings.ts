// Server URL and personal access token. The URL is not secret and lives in storage.local. The token lives in
// storage.session (memory only, gone when the browser closes) unless the coach ticks "remember on this
// device", which moves it to storage.local. Neither area is readable by content scripts: the extension
// ships none, and storage.session stays at its TRUSTED_CONTEXTS access level.

import type { KeyValueArea } from './storage';

export interface Settings {
  serverUrl: string;
  token: string;
  remember: boolean;
}

const SERVER_URL = 'serverUrl';
const TOKEN = 'token';
const REMEMBER = 'rememberToken';

export class SettingsStore {
  constructor(
    private readonly local: KeyValueArea,
    private readonly session: KeyValueArea,
  ) {}

  async load(): Promise<Settings> {
    const local = await this.local.get([SERVER_URL, TOKEN, REMEMBER]);
    const session = await this.session.get(TOKEN);
    const remember = local[REMEMBER] === true;
    const token = (remember ? local[TOKEN] : session[TOKEN]) ?? session[TOKEN] ?? '';
    return {
      serverUrl: typeof local[SERVER_URL] === 'string' ? (local[SERVER_URL] as string) : '',
      token: typeof token === 'string' ? token : '',
      remember,
    };
  }

  async save(settings: Settings): Promise<void> {
    await this.local.set({ [SERVER_URL]: settings.serverUrl, [REMEMBER]: settings.remember });
    if (settings.remember) {
      await this.local.set({ [TOKEN]: settings.token });
      await this.session.remove(TOKEN);
    } else {
      // Not remembered: make sure no copy is left on disk.
      await this.local.remove(TOKEN);
      await this.session.set({ [TOKEN]: settings.token });
    }
  }

  async forgetToken(): Promise<void> {
    await this.local.remove(TOKEN);
    await this.session.remove(TOKEN);
  }
}
