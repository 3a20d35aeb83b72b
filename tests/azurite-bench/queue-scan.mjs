// Measures what one queue poll costs in Azurite as other messages wait: a receive on an empty queue while N invisible
// messages sit in another queue (a waiting engagement's timer), and while N sit in the same queue. Prints key: value lines.
// Usage: node tests/azurite-bench/queue-scan.mjs [N ...]   (default 0 5000 20000; Azurite from the root node_modules,
// or AZURITE_DIR; AZURITE_NODE_OPTIONS for node, e.g. --cpu-prof)
import { createHmac } from 'node:crypto';
import { account, key, startAzurite, timed, untilReady } from './azurite.mjs';

function sign(method, url, headers, length) {
  const u = new URL(url);
  const canonHeaders = Object.keys(headers).filter((h) => h.startsWith('x-ms-')).sort().map((h) => `${h}:${headers[h]}\n`).join('');
  const params = [...u.searchParams.keys()].sort().map((k) => `\n${k.toLowerCase()}:${u.searchParams.get(k)}`).join('');
  const resource = `/${account}${u.pathname}${params}`;
  const toSign = [method, '', '', length ? String(length) : '', '', headers['content-type'] ?? '', '', '', '', '', '', ''].join('\n') + '\n' + canonHeaders + resource;
  return `SharedKey ${account}:${createHmac('sha256', key).update(toSign, 'utf8').digest('base64')}`;
}

async function call(base, method, pathAndQuery, body) {
  const url = `${base}${pathAndQuery}`;
  const headers = { 'x-ms-date': new Date().toUTCString(), 'x-ms-version': '2021-12-02' };
  if (body) headers['content-type'] = 'application/xml';
  headers.authorization = sign(method, url, headers, body ? Buffer.byteLength(body) : 0);
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${pathAndQuery}: ${response.status} ${text.slice(0, 200)}`);
  return text;
}

async function fill(base, queue, n) {
  const body = '<QueueMessage><MessageText>dGltZXI=</MessageText></QueueMessage>';
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < n) { next++; await call(base, 'POST', `/${queue}/messages?visibilitytimeout=3600`, body); }
  }));
}

const sizes = process.argv.slice(2).map(Number);
for (const n of sizes.length ? sizes : [0, 5000, 20000]) {
  for (const where of (process.env.WHERE ?? 'other,same').split(',')) {
    if (n === 0 && where === 'same') continue;
    const azurite = await startAzurite();
    const base = azurite.queue;
    await untilReady(() => call(base, 'GET', '/?comp=list'));
    await call(base, 'PUT', '/empty');
    await call(base, 'PUT', '/waiting');
    await fill(base, where === 'same' ? 'empty' : 'waiting', n);
    const { p50, p95 } = await timed(200, () => call(base, 'GET', '/empty/messages?numofmessages=32&visibilitytimeout=30'));
    console.log(`receive_empty_${where}_${n}_p50_ms: ${p50.toFixed(2)}`);
    console.log(`receive_empty_${where}_${n}_p95_ms: ${p95.toFixed(2)}`);
    await azurite.stop();
  }
}
