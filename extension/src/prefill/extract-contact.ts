// Reads a client's name and email from the page the coach is on, only when the coach clicks "Fill from this
// page". chrome.scripting.executeScript serialises this function and runs it in the page, so it must be
// self-contained: no imports, no outer variables, nothing but the DOM it is handed. It never receives the
// access token or anything else from the extension, and it returns plain data only.
//
// Sources, first match wins: the coach's text selection; the open message's sender in Gmail or Outlook on the
// web; the profile name on a LinkedIn profile; a mailto: link; schema.org / hCard contact markup.

export type PrefillSource = 'selection' | 'gmail' | 'outlook' | 'linkedin' | 'mailto' | 'page' | 'none';

export interface PrefillResult {
  name: string;
  email: string;
  source: PrefillSource;
}

export function extractContact(root?: Document, selectedText?: string): PrefillResult {
  const doc = root ?? document;
  const emailPattern = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;

  function clean(text: string | null | undefined): string {
    return (text ?? '').replace(/\s+/g, ' ').trim();
  }

  function findEmail(text: string | null | undefined): string {
    const match = clean(text).match(emailPattern);
    return match ? match[0].toLowerCase() : '';
  }

  function tidyName(text: string | null | undefined): string {
    let name = clean(text)
      .replace(emailPattern, ' ')
      .replace(/mailto:/gi, ' ')
      .replace(/[<>()[\]"“”]/g, ' ')
      .replace(/^(from|to|cc|sender|von|de|by)\s*:\s*/i, '')
      .replace(/\s+/g, ' ')
      .replace(/^[\s,;:|·–—-]+|[\s,;:|·–—-]+$/g, '');
    // "Souza, Ana" → "Ana Souza"
    const reversed = name.match(/^([^,\s]+(?: [^,\s]+)?), ([^,]+)$/);
    if (reversed && reversed[1] && reversed[2]) name = `${reversed[2]} ${reversed[1]}`;
    // A name is a few words with letters in them, not a paragraph.
    if (!/\p{L}/u.test(name) || name.length > 80 || name.split(' ').length > 6) return '';
    return name;
  }

  function fromText(text: string | null | undefined): { name: string; email: string } {
    const email = findEmail(text);
    return { email, name: tidyName(text) };
  }

  function emailFromMailto(href: string | null): string {
    if (!href) return '';
    const address = href.replace(/^mailto:/i, '').split('?')[0] ?? '';
    try {
      return findEmail(decodeURIComponent(address));
    } catch {
      return findEmail(address);
    }
  }

  function result(name: string, email: string, source: PrefillSource): PrefillResult {
    return { name, email, source };
  }

  let url: URL | null;
  try {
    url = new URL(doc.location?.href ?? '');
  } catch {
    url = null;
  }
  const host = url?.hostname ?? '';

  // 1. What the coach selected.
  const selection = selectedText ?? doc.defaultView?.getSelection()?.toString() ?? '';
  if (clean(selection)) {
    const found = fromText(selection);
    if (found.name || found.email) return result(found.name, found.email, 'selection');
  }

  // 2. Gmail: the sender of the open message (the last expanded one in a thread).
  if (host === 'mail.google.com') {
    const senders = Array.from(doc.querySelectorAll<HTMLElement>('span.gD[email], span[email].go'));
    const sender = senders[senders.length - 1];
    if (sender) {
      const email = findEmail(sender.getAttribute('email'));
      const name = tidyName(sender.getAttribute('name') || sender.textContent);
      if (email || name) return result(name, email, 'gmail');
    }
  }

  // 3. Outlook on the web: the reading pane's "From" persona.
  if (/(^|\.)outlook\.(office|office365|live)\.com$/.test(host)) {
    const pane =
      doc.querySelector('[aria-label="Reading Pane"], #ReadingPaneContainerId, [role="main"]') ?? doc.body;
    const candidates = Array.from(pane?.querySelectorAll<HTMLElement>('[title], [aria-label]') ?? []);
    for (const element of candidates) {
      for (const value of [element.getAttribute('title'), element.getAttribute('aria-label')]) {
        if (value && /<[^>]*@[^>]*>/.test(value)) {
          const found = fromText(value);
          if (found.email) return result(found.name, found.email, 'outlook');
        }
      }
    }
    const from = pane?.querySelector<HTMLElement>('[aria-label^="From" i], [aria-label^="Sender" i]');
    if (from) {
      const name = tidyName(from.getAttribute('aria-label'));
      const emailHolder = Array.from(pane?.querySelectorAll<HTMLElement>('[title]') ?? []).find((e) =>
        findEmail(e.getAttribute('title')),
      );
      const email = findEmail(emailHolder?.getAttribute('title'));
      if (name || email) return result(name, email, 'outlook');
    }
  }

  // 4. LinkedIn profile: the profile heading (an email only if the contact-info overlay shows one).
  if (/(^|\.)linkedin\.com$/.test(host) && url && url.pathname.startsWith('/in/')) {
    const heading = doc.querySelector('main h1, h1.text-heading-xlarge, h1');
    const name = tidyName(heading?.textContent);
    const mail = doc.querySelector<HTMLAnchorElement>('a[href^="mailto:" i]');
    const email = emailFromMailto(mail?.getAttribute('href') ?? null);
    if (name || email) return result(name, email, 'linkedin');
  }

  // 5. A mailto: link, named by its text, its title, or the contact card around it.
  const mailto = doc.querySelector<HTMLAnchorElement>('a[href^="mailto:" i]');
  if (mailto) {
    const email = emailFromMailto(mailto.getAttribute('href'));
    let name = tidyName(mailto.textContent) || tidyName(mailto.getAttribute('title'));
    if (!name) {
      const card = mailto.closest('[itemscope], .vcard, .h-card, address, article, section, li, div');
      const named = card?.querySelector('[itemprop="name"], .fn, .p-name, h1, h2, h3, strong');
      name = tidyName(named?.textContent);
    }
    if (email) return result(name, email, 'mailto');
  }

  // 6. Contact markup without a link.
  const emailElement = doc.querySelector('[itemprop="email"], .email, .u-email');
  const nameElement = doc.querySelector('[itemprop="name"], .fn, .p-name');
  const email = findEmail(emailElement?.textContent);
  const name = tidyName(nameElement?.textContent);
  if (email || name) return result(name, email, 'page');

  return result('', '', 'none');
}
