// Options: server URL, personal access token, "remember on this device", and a connection test that says
// plainly what is wrong and how to fix it.

import { ApiError, CoachFlowApi, normalizeServerUrl, originPattern } from '../shared/api';
import { settingsStore } from '../shared/env';

const form = document.getElementById('options') as HTMLFormElement;
const serverInput = document.getElementById('server-url') as HTMLInputElement;
const tokenInput = document.getElementById('token') as HTMLInputElement;
const rememberInput = document.getElementById('remember') as HTMLInputElement;
const status = document.getElementById('status') as HTMLElement;
const testButton = document.getElementById('test') as HTMLButtonElement;
const forgetButton = document.getElementById('forget') as HTMLButtonElement;
const saveButton = document.getElementById('save') as HTMLButtonElement;
const store = settingsStore();

function show(kind: 'success' | 'error' | 'progress', text: string): void {
  status.className = `message ${kind === 'progress' ? '' : kind}`;
  status.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  status.replaceChildren(
    ...text.split('\n').map((line) => Object.assign(document.createElement('p'), { textContent: line })),
  );
}

async function load(): Promise<void> {
  const settings = await store.load();
  serverInput.value = settings.serverUrl || 'http://127.0.0.1:7071';
  tokenInput.value = settings.token;
  rememberInput.checked = settings.remember;
  if (settings.serverUrl && !settings.token)
    show(
      'progress',
      'Paste your personal access token to connect. (Tokens not remembered are cleared when the browser closes.)',
    );
}

async function test(serverUrl: string, token: string): Promise<void> {
  show('progress', `Testing the connection to ${serverUrl}…`);
  try {
    const me = await new CoachFlowApi({ baseUrl: serverUrl, token }).me();
    show('success', `Connected as ${me.name} (${me.email}) at ${me.firmName}.`);
  } catch (error) {
    // The shared messages point at "Options"; here the coach is already on it.
    const message = error instanceof ApiError ? error.message : String(error);
    show(
      'error',
      message.replace('paste it in Options', 'paste it above').replace('the URL in Options', 'the URL above'),
    );
  }
}

function readForm(): { serverUrl: string; token: string } | null {
  let serverUrl: string;
  try {
    serverUrl = normalizeServerUrl(serverInput.value);
  } catch (error) {
    show('error', (error as Error).message);
    serverInput.focus();
    return null;
  }
  const token = tokenInput.value.trim();
  if (!token) {
    show(
      'error',
      'Paste your personal access token. Create one in CoachFlow under your profile → Access tokens.',
    );
    tokenInput.focus();
    return null;
  }
  return { serverUrl, token };
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const values = readForm();
  if (!values) return;
  saveButton.disabled = true;
  try {
    // Ask for access to this one server while the click still counts as the coach's gesture.
    const origin = originPattern(values.serverUrl);
    const granted = await chrome.permissions.request({ origins: [origin] });
    if (!granted) {
      show(
        'error',
        `CoachFlow needs your permission to talk to ${values.serverUrl}. Save again and choose Allow.`,
      );
      return;
    }
    const previous = await store.load();
    await store.save({ ...values, remember: rememberInput.checked });
    serverInput.value = values.serverUrl;
    if (previous.serverUrl && previous.serverUrl !== values.serverUrl) {
      const old = originPattern(previous.serverUrl);
      if (old !== origin) await chrome.permissions.remove({ origins: [old] }).catch(() => false);
    }
    await test(values.serverUrl, values.token);
  } catch (error) {
    show('error', (error as Error).message);
  } finally {
    saveButton.disabled = false;
  }
});

testButton.addEventListener('click', async () => {
  const values = readForm();
  if (!values) return;
  const allowed = await chrome.permissions.contains({ origins: [originPattern(values.serverUrl)] });
  if (!allowed) {
    show('error', `Save first: that asks your permission for the extension to talk to ${values.serverUrl}.`);
    return;
  }
  await test(values.serverUrl, values.token);
});

forgetButton.addEventListener('click', async () => {
  await store.forgetToken();
  tokenInput.value = '';
  show('success', 'The token is removed from this browser.');
});

void load();
