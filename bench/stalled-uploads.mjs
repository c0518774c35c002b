// Issue 27's measurement: 40 unauthenticated clients each send a body one byte short of the adapter's limit
// and then stall. How much does the serving process grow, and for how long? Run by `make bench` (and on its
// own: node bench/stalled-uploads.mjs). The node adapter on node:http, and the Fetch handler on Hono's Node
// server (examples/hono-service's dependency), each in a child process of its own, with default options;
// and examples/fastify-service's app as it ships (its SERVER_LIMITS: requestTimeout, connectionTimeout,
// bodyLimit), built by `make build`, its webhook path posted to.
import { spawn } from "node:child_process";
import { request } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CORE, ROOT } from "./lib.mjs";

const CLIENTS = 40;
const LIMIT = 1024 * 1024; // the adapters' default body limit

const child = (kind) => `
import { createServer } from "node:http";
const core = await import(${JSON.stringify(pathToFileURL(CORE).href)});
const router = core.createWebhookRouter({ secrets: ["bench-secret-bench-secret"], workspace: "dev", plugins: [],
  dispatcher: { start: async () => ({ status: "started", executionArn: "x" }) } });
let server;
if (${JSON.stringify(kind)} === "node") {
  const { createNodeMiddleware } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "packages/core/dist/src/adapters/node.js")).href)});
  const middleware = createNodeMiddleware(router);
  server = createServer((req, res) => middleware(req, res));
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
} else if (${JSON.stringify(kind)} === "fastify") {
  const { createApp } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "examples/fastify-service/dist/src/app.js")).href)});
  const { LoanDesk } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "examples/fastify-service/dist/src/loan-desk.js")).href)});
  const app = await createApp({ secret: "bench-secret-bench-secret", desk: new LoanDesk() });
  await app.listen({ port: 0, host: "127.0.0.1" });
  server = app.server;
} else {
  const { createFetchHandler } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "packages/core/dist/src/adapters/fetch.js")).href)});
  const { serve } = await import(${JSON.stringify(pathToFileURL(createRequire(join(ROOT, "examples/hono-service/package.json")).resolve("@hono/node-server")).href)});
  const fetch = createFetchHandler(router);
  server = await new Promise((r) => { const s = serve({ fetch, port: 0, hostname: "127.0.0.1" }, () => r(s)); });
}
process.stdout.write(JSON.stringify({ port: server.address().port }) + "\\n");
setInterval(() => process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss }) + "\\n"), 50);
`;

async function measure(kind) {
  const proc = spawn(process.execPath, ["--input-type=module", "-e", child(kind)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let port;
  let peak = 0;
  let last = 0;
  const lines = [];
  proc.stdout.setEncoding("utf8");
  let buffer = "";
  proc.stdout.on("data", (text) => {
    buffer += text;
    for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
      const message = JSON.parse(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
      if (message.port) port = message.port;
      if (message.rss) {
        last = message.rss;
        peak = Math.max(peak, message.rss);
        lines.push(message.rss);
      }
    }
  });
  while (port === undefined || last === 0) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300));
  const before = last;
  peak = before;
  const started = Date.now();
  const answers = await Promise.all(
    Array.from(
      { length: CLIENTS },
      () =>
        new Promise((resolve) => {
          const req = request(
            {
              host: "127.0.0.1",
              port,
              method: "POST",
              path: kind === "fastify" ? "/alma/webhook" : "/",
              headers: {
                "content-length": LIMIT,
                ...(kind === "fastify" ? { "content-type": "application/json" } : {}),
              },
            },
            (res) => {
              res.resume();
              resolve({ status: res.statusCode, ms: Date.now() - started });
            },
          );
          req.on("error", () => resolve({ status: "closed", ms: Date.now() - started }));
          req.write(Buffer.alloc(LIMIT - 1, 0x20)); // and never finish
        }),
    ),
  );
  await new Promise((r) => setTimeout(r, 500));
  const after = last;
  proc.kill();
  const statuses = [...new Set(answers.map((a) => a.status))].join(", ");
  const slowest = Math.max(...answers.map((a) => a.ms));
  return { kind, before, peak, after, statuses, slowest };
}

const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);
const rows = [];
for (const kind of ["node", "fetch", "fastify"]) rows.push(await measure(kind));
const NAMES = {
  node: "node adapter (node:http)",
  fetch: "Fetch handler (Hono node-server)",
  fastify: "fastify plugin (examples/fastify-service, its limits)",
};
const out = [
  `| ${CLIENTS} stalled uploads of ${LIMIT - 1} bytes | RSS before | peak | growth | after | answers | last answer |`,
  "|---|---|---|---|---|---|---|",
  ...rows.map(
    (r) =>
      `| ${NAMES[r.kind]} | ${mib(r.before)} MiB | ${mib(r.peak)} MiB | ${mib(r.peak - r.before)} MiB | ${mib(r.after)} MiB | ${r.statuses} | ${r.slowest} ms |`,
  ),
].join("\n");
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) console.log(out);

export { out as stalledUploads };
