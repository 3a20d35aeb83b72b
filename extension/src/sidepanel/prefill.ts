// Runs the self-contained extractor in the page the coach is looking at, only when they click.

import { extractContact, type PrefillResult } from '../prefill/extract-contact';

/**
 * The page to read: the active tab of the panel's window. When the panel is opened as a tab itself (the
 * tests do this), the tab the coach was on just before.
 */
async function targetTab(): Promise<chrome.tabs.Tab | undefined> {
  const self = await chrome.tabs.getCurrent();
  if (!self) {
    const [active] = await chrome.tabs.query({ active: true, currentWindow: true });
    return active;
  }
  const others = (await chrome.tabs.query({ windowId: self.windowId })).filter((t) => t.id !== self.id);
  return others.sort((a, b) => (b.lastAccessed ?? b.index) - (a.lastAccessed ?? a.index))[0];
}

export async function prefillFromPage(): Promise<PrefillResult> {
  const tab = await targetTab();
  if (tab?.id === undefined) throw new Error('There is no open page to read. Open the client’s page first.');
  try {
    const [frame] = await chrome.scripting.executeScript({ target: { tabId: tab.id }, func: extractContact });
    const result = frame?.result as PrefillResult | undefined;
    return {
      name: typeof result?.name === 'string' ? result.name.slice(0, 200) : '',
      email: typeof result?.email === 'string' ? result.email.slice(0, 320) : '',
      source: result?.source ?? 'none',
    };
  } catch {
    throw new Error(
      'CoachFlow can’t read this page. Click the CoachFlow button in the toolbar while the page is open (that ' +
        'lets it read the page once), then try again — or type the details. Browser pages such as ' +
        'chrome:// and the web store can’t be read.',
    );
  }
}

export function describeSource(source: PrefillResult['source']): string {
  return {
    selection: 'your selection',
    gmail: 'the open Gmail message',
    outlook: 'the open Outlook message',
    linkedin: 'the LinkedIn profile',
    mailto: 'an email link on the page',
    page: 'contact details on the page',
    none: 'the page',
  }[source];
}
