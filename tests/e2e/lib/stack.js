// Starts the real stack for one test file: Azurite (storage), maildev (SMTP + REST API), the CoachFlow host,
// and headless Debian Chromium driven by playwright-core. Everything listens on free loopback ports and is
// stopped (by process id) when the test file ends.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../../..');
export const screenshots = path.resolve(here, '../screenshots');
const dll = path.join(repo, 'functions/CoachFlow.LocalHost/bin/Release/net10.0/CoachFlow.LocalHost.dll');
// The command line (admin seed-demo, add-user): a project of its own, beside the host.
const cliDll = path.join(repo, 'cli/CoachFlow.Cli/bin/Release/net10.0/CoachFlow.Cli.dll');
const bin = (name) => path.join(repo, 'node_modules/.bin', name);

const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const t0 = Date.now();
/** Progress on stderr, so a slow or stuck step is visible while the tests run. */
export function step(message) {
  process.stderr.write(`[e2e +${((Date.now() - t0) / 1000).toFixed(1)}s] ${message}\n`);
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what, check, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  let last;
  while (Date.now() < until) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    await sleep(150);
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

async function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

function start(name, command, args, env, logs) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (chunk) => {
    logs.push(`[${name}] ${chunk}`);
    if (logs.length > 2000) logs.shift();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return child;
}

export function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Chromium is not installed: apt-get install chromium (or set CHROMIUM_PATH).');
  }
}

/** Starts everything; returns helpers for the API, maildev and the browser. Stops what it started if anything fails. */
export async function startStack() {
  const started = { children: [], logs: [] };
  try {
    return await startStackInner(started);
  } catch (e) {
    for (const child of started.children) if (child.exitCode === null) child.kill('SIGKILL');
    e.message += `\n--- logs ---\n${started.logs.slice(-60).join('')}`;
    throw e;
  }
}

async function startStackInner(started) {
  for (const built of [dll, cliDll]) {
    if (!existsSync(built)) throw new Error(`${built} is missing: build it with -c Release first (npm test does).`);
  }
  mkdirSync(screenshots, { recursive: true });
  const { logs, children } = started;
  const [blob, queue, table, smtp, web, app] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);

  children.push(start('azurite', bin('azurite'), [
    '--silent', '--disableTelemetry', '--inMemoryPersistence', '--skipApiVersionCheck', '--loose',
    '--blobHost', '127.0.0.1', '--blobPort', String(blob),
    '--queueHost', '127.0.0.1', '--queuePort', String(queue),
    '--tableHost', '127.0.0.1', '--tablePort', String(table),
  ], {}, logs));
  children.push(start('maildev', bin('maildev'), ['--smtp', String(smtp), '--web', String(web), '--ip', '127.0.0.1'], {}, logs));
  step(`Azurite on ${blob}/${queue}/${table}, maildev on ${smtp}/${web}`);
  await waitFor('Azurite', async () => (await portOpen(blob)) && (await portOpen(queue)) && (await portOpen(table)));
  // maildev 3 serves its REST API under /api (GET /api/email); maildev 2 served GET /email.
  const mailApi = await waitFor('maildev', async () => {
    if (!(await portOpen(smtp))) return undefined;
    for (const candidate of [`http://127.0.0.1:${web}/api/email`, `http://127.0.0.1:${web}/email`]) {
      if ((await fetch(candidate)).ok) return candidate;
    }
    return undefined;
  });

  const baseUrl = `http://127.0.0.1:${app}`;
  const env = {
    CoachFlow__Storage__ConnectionString:
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${ACCOUNT_KEY};` +
      `BlobEndpoint=http://127.0.0.1:${blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:${queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:${table}/devstoreaccount1;`,
    CoachFlow__Smtp__Host: '127.0.0.1',
    CoachFlow__Smtp__Port: String(smtp),
    CoachFlow__PublicBaseUrl: baseUrl,
    DOTNET_NOLOGO: '1',
    ASPNETCORE_ENVIRONMENT: 'Development',
  };

  step('seeding the demo firm');
  const seed = await new Promise((resolve, reject) => {
    const child = spawn('dotnet', [cliDll, 'admin', 'seed-demo'], { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out); else reject(new Error(`seed-demo exited with ${code}: ${out}`));
    });
  });
  const token = /token: (cfp_\S+)/.exec(seed)?.[1];
  if (!token) throw new Error(`seed-demo printed no token: ${seed}`);

  step(`starting CoachFlow on ${baseUrl}`);
  const host = start('app', 'dotnet', [dll, '--urls', baseUrl], env, logs);
  children.push(host);
  await waitFor('the CoachFlow host', async () => (await fetch(`${baseUrl}/api/health`)).ok, 90_000);

  step('starting Chromium');
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });

  const api = async (method, url, body, extra = {}) => {
    const response = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: response.status, json, text };
  };

  const mail = {
    async all() {
      const response = await fetch(mailApi);
      const body = await response.json();
      return Array.isArray(body) ? body : (body.emails ?? body.items ?? []);
    },
    /** Waits for an email to the engagement whose subject matches; returns it with its CoachFlow link. */
    async waitFor(engagementId, subject, { timeoutMs = 30_000, after = [], to } = {}) {
      const seen = new Set(after.map((m) => m.id));
      step(`waiting for the email "${subject}"`);
      const email = await waitFor(`an email "${subject}" for ${engagementId}`, async () => {
        const all = await mail.all();
        return all.find((m) => !seen.has(m.id)
          && (header(m, 'x-coachflow-engagement') === engagementId || (to && m.to?.some((a) => a.address?.toLowerCase() === to.toLowerCase())))
          && (subject instanceof RegExp ? subject.test(m.subject) : m.subject.includes(subject)));
      }, timeoutMs);
      return { ...email, link: linkIn(email) };
    },
    async forEngagement(engagementId) {
      return (await mail.all()).filter((m) => header(m, 'x-coachflow-engagement') === engagementId);
    },
  };

  function header(email, name) {
    const h = email.headers ?? {};
    const value = h[name] ?? h[name.toLowerCase()] ?? Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1];
    return Array.isArray(value) ? value[0] : value;
  }

  function linkIn(email) {
    const text = `${email.text ?? ''}\n${email.html ?? ''}`;
    const match = new RegExp(`${baseUrl.replace(/[.:/]/g, (c) => `\\${c}`)}/c/[A-Za-z0-9_\\-.]+`).exec(text);
    return match?.[0];
  }

  async function stop() {
    await browser.close().catch(() => {});
    for (const child of children.reverse()) {
      if (child.exitCode === null) child.kill('SIGTERM');
    }
    await Promise.all(children.map((child) => (child.exitCode !== null ? null : new Promise((r) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); r(); }, 8000);
      child.once('exit', () => { clearTimeout(timer); r(); });
    }))));
  }

  /** Runs the command line's admin commands (e.g. add-user) against this stack's storage; returns what they printed. */
  const admin = (args) => new Promise((resolve, reject) => {
    const child = spawn('dotnet', [cliDll, 'admin', ...args], { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`admin ${args[0]} exited with ${code}: ${out}`))));
  });

  return { baseUrl, token, api, admin, mail, browser, logs, stop, waitFor, ports: { blob, queue, table, smtp, web, app } };
}

/** Starts an engagement through the coach API and returns its id. */
export async function startEngagement(stack, { programId = 'demo-accelerated', clientName, clientEmail, overallGoals }) {
  const response = await stack.api('POST', '/api/engagements', {
    clientName,
    clientEmail,
    programId,
    overallGoals: overallGoals ?? ['A leadership role in renewable energy within 12–18 months with at least 15% higher total pay'],
  });
  if (response.status >= 300) throw new Error(`Starting an engagement failed with ${response.status}: ${response.text}`);
  const id = response.json?.id ?? response.json?.engagementId ?? response.json?.engagement?.id;
  if (!id) throw new Error(`No engagement id in ${response.text}`);
  return id;
}

/** Reads the engagement through the coach API. */
export async function engagement(stack, id) {
  const response = await stack.api('GET', `/api/engagements/${id}`);
  if (response.status !== 200) throw new Error(`GET engagement ${id} returned ${response.status}: ${response.text}`);
  return response.json;
}

/** Waits until the engagement satisfies a predicate (effects and timers run in the background). */
export async function until(stack, id, what, predicate, timeoutMs = 20_000) {
  let last;
  try {
    return await stack.waitFor(what, async () => {
      last = await engagement(stack, id);
      return predicate(last) ? last : undefined;
    }, timeoutMs);
  } catch (e) {
    e.message += `\nLast seen: ${JSON.stringify({ phase: last?.phase, waitingFor: last?.waitingFor, flags: last?.flags })}`;
    throw e;
  }
}

/** Runs a test body; on failure the error carries the last lines the services logged. */
export async function withLogs(stack, body) {
  try {
    await body();
  } catch (e) {
    e.message += `\n--- last service logs ---\n${stack.logs.slice(-60).join('')}`;
    throw e;
  }
}
