// An independent webhook receiver for CoachFlow's tests: verifies every delivery with the `standardwebhooks` npm
// library (another implementation than the app's C# one) and records what it got. Each test uses mailboxes of its own.
//
//   node receiver.mjs --port N        listens on 127.0.0.1:N
//
//   POST /hooks/{box}                  a delivery: verified with the box's secret, recorded, answered as the box is told
//   PUT  /control/{box}                JSON {secret?, failNext?, failAll?, gone?, failEngagement?, delayMs?}: merged into the box
//   GET  /control/{box}/received       what the box got, in arrival order: [{id, timestamp, type, engagementId, body, verified, error, answered}]
//   GET  /health                       {"receiver": "coachflow-webhook-receiver"}
//
// failNext: answer 500 to the next N deliveries; failAll: answer 500 to every one; gone: answer 410 Gone;
// failEngagement: answer 500 to deliveries whose data.engagementId is this one; delayMs: wait before answering.
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

const portArg = process.argv.indexOf("--port");
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 0;
const boxes = new Map();

function box(name) {
  if (!boxes.has(name)) boxes.set(name, { config: { failNext: 0, failAll: false, gone: false, failEngagement: null, delayMs: 0, secret: null }, received: [] });
  return boxes.get(name);
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on("data", (c) => chunks.push(c));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function send(response, status, value) {
  const body = value === undefined ? "" : JSON.stringify(value);
  response.writeHead(status, { "content-type": "application/json" });
  response.end(body);
}

async function deliver(name, request, response) {
  const target = box(name);
  const payload = await readBody(request);
  const headers = {
    "webhook-id": request.headers["webhook-id"] ?? "",
    "webhook-timestamp": request.headers["webhook-timestamp"] ?? "",
    "webhook-signature": request.headers["webhook-signature"] ?? "",
  };
  let verified = false;
  let error = null;
  let parsed = null;
  try {
    if (!target.config.secret) throw new Error("this box was given no secret");
    parsed = new Webhook(target.config.secret).verify(payload, headers);
    verified = true;
  } catch (e) {
    error = String(e?.message ?? e);
    try { parsed = JSON.parse(payload); } catch { parsed = null; }
  }
  const config = target.config;
  const engagementId = parsed?.data?.engagementId ?? null;
  let status = 200;
  if (config.gone) status = 410;
  else if (config.failAll) status = 500;
  else if (config.failEngagement && engagementId === config.failEngagement) status = 500;
  else if (config.failNext > 0) { config.failNext -= 1; status = 500; }
  if (!verified && status === 200) status = 401; // an unverified delivery is refused, as a real receiver would
  target.received.push({
    id: headers["webhook-id"], timestamp: headers["webhook-timestamp"], type: parsed?.type ?? null, engagementId,
    body: payload, verified, error, answered: status, at: new Date().toISOString(),
  });
  if (config.delayMs > 0) await new Promise((r) => setTimeout(r, config.delayMs));
  send(response, status, { ok: status === 200 });
}

const server = createServer(async (request, response) => {
  try {
    const url = new URL(request.url, "http://receiver");
    const parts = url.pathname.split("/").filter(Boolean);
    if (request.method === "GET" && url.pathname === "/health") return send(response, 200, { receiver: "coachflow-webhook-receiver" });
    if (request.method === "POST" && parts[0] === "hooks" && parts.length === 2) return await deliver(parts[1], request, response);
    if (request.method === "PUT" && parts[0] === "control" && parts.length === 2) {
      const target = box(parts[1]);
      Object.assign(target.config, JSON.parse((await readBody(request)) || "{}"));
      return send(response, 200, target.config);
    }
    if (request.method === "GET" && parts[0] === "control" && parts[2] === "received" && parts.length === 3) return send(response, 200, box(parts[1]).received);
    send(response, 404, { error: `nothing at ${request.method} ${url.pathname}` });
  } catch (e) {
    send(response, 500, { error: String(e?.message ?? e) });
  }
});

server.listen(port, "127.0.0.1", () => console.log(`listening ${server.address().port}`));
