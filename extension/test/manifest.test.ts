import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zip } from '../scripts/package.mjs';
import { iconPng } from '../scripts/icons.mjs';

const manifest = JSON.parse(readFileSync(new URL('../static/manifest.json', import.meta.url), 'utf8'));

describe('manifest: the narrowest permissions', () => {
  it('asks only for what features use today', () => {
    expect(manifest.manifest_version).toBe(3);
    expect([...manifest.permissions].sort()).toEqual(['activeTab', 'scripting', 'sidePanel', 'storage']);
  });

  it('has no host access at install; the server origin is requested at options-save time', () => {
    expect(manifest.host_permissions).toBeUndefined();
    expect(manifest.optional_host_permissions).toEqual([
      'http://127.0.0.1/*',
      'http://localhost/*',
      'https://*/*',
    ]);
  });

  it('ships no content scripts and no remote code', () => {
    expect(manifest.content_scripts).toBeUndefined();
    expect(manifest.content_security_policy.extension_pages).toMatch(/^script-src 'self'/);
  });

  it('opens the side panel from the toolbar action; options open in a tab', () => {
    expect(manifest.side_panel.default_path).toBe('sidepanel.html');
    expect(manifest.action.default_title).toBe('CoachFlow');
    expect(manifest.options_ui).toEqual({ page: 'options.html', open_in_tab: true });
  });
});

describe('packaging', () => {
  it('writes a ZIP that a standard reader lists and verifies', () => {
    const bytes = zip([
      { name: 'manifest.json', data: Buffer.from('{"manifest_version":3}') },
      { name: 'icons/icon-16.png', data: iconPng(16) },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'cf-zip-'));
    const file = join(dir, 'x.zip');
    writeFileSync(file, bytes);
    const listing = execFileSync('python3', ['-m', 'zipfile', '-l', file], { encoding: 'utf8' });
    expect(listing).toContain('manifest.json');
    expect(listing).toContain('icons/icon-16.png');
    execFileSync('python3', [
      '-c',
      `import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; assert z.read('manifest.json')==b'{"manifest_version":3}'`,
      file,
    ]);
  });

  it('draws PNG icons with the PNG signature and the right size', () => {
    const png = iconPng(48);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(48);
    expect(png.readUInt32BE(20)).toBe(48);
  });
});
