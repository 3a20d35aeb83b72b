// What the Azurite measurements share: the emulator's well-known account, free ports, an in-memory Azurite on them,
// and the p50/p95 of a request repeated.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const account = 'devstoreaccount1';
export const key = Buffer.from('Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==', 'base64');

const freePort = () => new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });

/**
 * Starts Azurite in memory on free ports: from AZURITE_DIR (an unpatched copy, say) or the root node_modules, with
 * AZURITE_NODE_OPTIONS given to node (--cpu-prof …). stop() waits for a profiled process to write its profile.
 */
export async function startAzurite() {
  const [blob, queue, table] = [await freePort(), await freePort(), await freePort()];
  const dir = process.env.AZURITE_DIR ?? path.join(root, 'node_modules/azurite');
  const nodeOptions = (process.env.AZURITE_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeOptions, path.join(dir, 'dist/src/azurite.js'), '--silent', '--disableTelemetry', '--inMemoryPersistence', '--skipApiVersionCheck', '--loose',
    '--blobPort', String(blob), '--queuePort', String(queue), '--tablePort', String(table)], { stdio: 'ignore' });
  return {
    queue: `http://127.0.0.1:${queue}/${account}`,
    table: `http://127.0.0.1:${table}/${account}`,
    async stop() {
      child.kill(nodeOptions.length ? 'SIGINT' : 'SIGKILL');
      if (nodeOptions.length) await new Promise((r) => child.on('exit', r));
    },
  };
}

/** Calls ready() until it succeeds (Azurite is listening), for up to about 10 s. */
export async function untilReady(ready) {
  for (let i = 0; ; i++) { try { return await ready(); } catch (e) { if (i > 100) throw e; await new Promise((r) => setTimeout(r, 100)); } }
}

/** run(i) for i = 0 … times − 1, one after another: the p50 and p95 of their times in ms. */
export async function timed(times, run) {
  const ms = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await run(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(ms.length / 2)], p95: ms[Math.floor(ms.length * 0.95)] };
}
