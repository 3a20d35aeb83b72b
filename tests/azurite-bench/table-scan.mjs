// Measures what the Durable Task provider's table requests cost in Azurite as the firm's book grows: with N
// instances in the table (one row each, PartitionKey = instance id, RowKey = "" as in the Instances table), the time
// of a point read, a partition query (PartitionKey eq '…', as a history read) and an upsert of one instance.
// Prints key: value lines.
// Usage: node tests/azurite-bench/table-scan.mjs [N ...]   (default 0 5000 20000)
//        AZURITE_DIR=/path/to/azurite   measure another copy (for example an unpatched one); default the root node_modules
import { createHmac } from 'node:crypto';
import { account, key, startAzurite, timed, untilReady } from './azurite.mjs';

/** The table service's Shared Key: verb, Content-MD5, Content-Type, date and the resource (path only, no query). */
function sign(method, url, headers) {
  const resource = `/${account}${new URL(url).pathname}`;
  const toSign = [method, '', headers['content-type'] ?? '', headers['x-ms-date'], resource].join('\n');
  return `SharedKey ${account}:${createHmac('sha256', key).update(toSign, 'utf8').digest('base64')}`;
}

async function call(base, method, pathAndQuery, body) {
  const url = `${base}${pathAndQuery}`;
  const headers = { 'x-ms-date': new Date().toUTCString(), 'x-ms-version': '2019-02-02', accept: 'application/json;odata=nometadata', dataserviceversion: '3.0' };
  if (body) headers['content-type'] = 'application/json';
  headers.authorization = sign(method, url, headers);
  const response = await fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${pathAndQuery}: ${response.status} ${text.slice(0, 200)}`);
  return text;
}

const entity = (i) => `(PartitionKey='instance-${i}',RowKey='')`;

async function fill(base, n) {
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < n) {
      const i = next++;
      await call(base, 'POST', '/Instances', { PartitionKey: `instance-${i}`, RowKey: '', RuntimeStatus: 'Running' });
    }
  }));
}

const sizes = process.argv.slice(2).map(Number);
for (const n of sizes.length ? sizes : [0, 5000, 20000]) {
  const azurite = await startAzurite();
  const base = azurite.table;
  await untilReady(() => call(base, 'POST', '/Tables', { TableName: 'Instances' }));
  await fill(base, n);
  const probe = [...Array(200).keys()].map((i) => `probe-${i}`);
  for (const id of probe) await call(base, 'POST', '/Instances', { PartitionKey: id, RowKey: '', RuntimeStatus: 'Pending' });
  const read = await timed(200, (i) => call(base, 'GET', `/Instances(PartitionKey='${probe[i]}',RowKey='')`));
  const query = await timed(200, (i) => call(base, 'GET', `/Instances()?$filter=${encodeURIComponent(`PartitionKey eq '${probe[i]}'`)}`));
  const upsert = await timed(200, (i) => call(base, 'PUT', `/Instances(PartitionKey='${probe[i]}',RowKey='')`, { RuntimeStatus: 'Running' }));
  for (const [name, { p50, p95 }] of [['point_read', read], ['partition_query', query], ['upsert', upsert]]) {
    console.log(`table_${name}_${n}_p50_ms: ${p50.toFixed(2)}`);
    console.log(`table_${name}_${n}_p95_ms: ${p95.toFixed(2)}`);
  }
  await azurite.stop();
}
