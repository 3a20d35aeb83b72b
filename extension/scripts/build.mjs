// Builds the unpacked extension into dist/: bundles the TypeScript entry points with esbuild and copies the
// manifest (with the package version), HTML and CSS; draws the icons.
//   node scripts/build.mjs            production build
//   node scripts/build.mjs --watch    rebuild on change

import { build, context } from 'esbuild';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { iconPng } from './icons.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const watch = process.argv.includes('--watch');

const options = {
  entryPoints: {
    'service-worker': join(root, 'src/service-worker.ts'),
    sidepanel: join(root, 'src/sidepanel/main.ts'),
    options: join(root, 'src/options/options.ts'),
  },
  outdir: dist,
  bundle: true,
  format: 'iife',
  target: ['chrome116', 'edge116'],
  // Readable output: store reviewers read it, and the prefill function is serialised into pages as written.
  minify: false,
  keepNames: false,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
};

await rm(dist, { recursive: true, force: true });
await mkdir(join(dist, 'icons'), { recursive: true });

const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const manifest = JSON.parse(await readFile(join(root, 'static/manifest.json'), 'utf8'));
manifest.version = pkg.version;
await writeFile(join(dist, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
for (const file of ['sidepanel.html', 'options.html', 'styles.css']) {
  await copyFile(join(root, 'static', file), join(dist, file));
}
for (const size of [16, 32, 48, 128]) {
  await writeFile(join(dist, 'icons', `icon-${size}.png`), iconPng(size));
}

if (watch) {
  const ctx = await context(options);
  await ctx.watch();
  console.log('Watching src/ — dist/ rebuilds on change (static files need a restart).');
} else {
  await build(options);
  console.log(`Built ${manifest.name} ${manifest.version} → dist/`);
}
