import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { extractContact } from '../src/prefill/extract-contact';

function page(name: string): Document {
  const html = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
  const savedFrom = html.match(/<meta name="saved-from" content="([^"]+)"/)?.[1];
  return new JSDOM(html, { url: savedFrom ?? 'https://example.com/' }).window.document;
}

function select(doc: Document, element: Element): void {
  const range = doc.createRange();
  range.selectNodeContents(element);
  const selection = doc.defaultView!.getSelection()!;
  selection.removeAllRanges();
  selection.addRange(range);
}

describe('Given a saved page, when the coach asks to fill from it', () => {
  it('Gmail thread: then the sender of the last open message, not the coach', () => {
    expect(extractContact(page('gmail-thread.html'))).toEqual({
      name: 'Priya Natarajan',
      email: 'priya.natarajan@example.org',
      source: 'gmail',
    });
  });

  it('Outlook reading pane with a "Name <email>" persona: then that person', () => {
    expect(extractContact(page('outlook-reading-pane.html'))).toEqual({
      name: 'Tomás Ferreira',
      email: 'tomas.ferreira@example.net',
      source: 'outlook',
    });
  });

  it('Outlook with only a "From:" label: then the name, turned round, and the address beside it', () => {
    expect(extractContact(page('outlook-from-label.html'))).toEqual({
      name: 'Chidi Okafor',
      email: 'chidi.okafor@example.com',
      source: 'outlook',
    });
  });

  it('LinkedIn profile: then the profile name and no email', () => {
    expect(extractContact(page('linkedin-profile.html'))).toEqual({
      name: 'Mei-Lin Zhang',
      email: '',
      source: 'linkedin',
    });
  });

  it('a contact card whose mailto shows the address: then the card heading is the name', () => {
    expect(extractContact(page('contact-page.html'))).toEqual({
      name: 'Ana Souza',
      email: 'ana.souza@example.com',
      source: 'mailto',
    });
  });

  it('a mailto link named by its text, with an encoded address and a subject: then both', () => {
    expect(extractContact(page('mailto-named.html'))).toEqual({
      name: 'Jonas Berg',
      email: 'jonas.berg@example.org',
      source: 'mailto',
    });
  });

  it('schema.org Person markup: then its name and email', () => {
    expect(extractContact(page('hcard.html'))).toEqual({
      name: 'Fatima Al-Sayed',
      email: 'fatima.alsayed@example.com',
      source: 'page',
    });
  });

  it('a page with no contact: then nothing, and the form stays for the coach to fill', () => {
    expect(extractContact(page('nothing.html'))).toEqual({ name: '', email: '', source: 'none' });
  });

  it('a selection wins over the page (here: the Gmail body text naming nobody)', () => {
    const doc = page('gmail-thread.html');
    const span = doc.createElement('span');
    span.textContent = 'Priya Natarajan <Priya.Natarajan@Example.org>';
    doc.body.append(span);
    select(doc, span);
    expect(extractContact(doc)).toEqual({
      name: 'Priya Natarajan',
      email: 'priya.natarajan@example.org',
      source: 'selection',
    });
  });

  it.each([
    ['Ana Souza', { name: 'Ana Souza', email: '' }],
    ['ana.souza@example.com', { name: '', email: 'ana.souza@example.com' }],
    ['"Souza, Ana" <ana.souza@example.com>', { name: 'Ana Souza', email: 'ana.souza@example.com' }],
    ['From: Ana Souza (ana.souza@example.com)', { name: 'Ana Souza', email: 'ana.souza@example.com' }],
    [
      'Please reach me any time at ana.souza@example.com if the sessions need to move around a bit.',
      { name: '', email: 'ana.souza@example.com' },
    ],
  ])('selected text %j: then %j', (text, expected) => {
    expect(extractContact(page('nothing.html'), text)).toEqual({ ...expected, source: 'selection' });
  });

  it('markup in a name stays text: the extractor returns strings, never elements', () => {
    const result = extractContact(page('nothing.html'), '<img src=x onerror=alert(1)> Eve <eve@example.com>');
    expect(result.email).toBe('eve@example.com');
    expect(typeof result.name).toBe('string');
  });

  it('is self-contained, so chrome.scripting can serialise it into the page', () => {
    // Rebuild the function from its source alone, as executeScript does, and run it.
    const rebuilt = new Function(`return (${extractContact.toString()})`)() as typeof extractContact;
    expect(rebuilt(page('contact-page.html')).email).toBe('ana.souza@example.com');
  });
});
