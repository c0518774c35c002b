import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp, limitServer } from "./app.js";
import { OutboxDispatcher } from "./outbox-dispatcher.js";

// `pnpm start` with ALMA_CHALLENGE_SECRET and LOAN_DESK_OUTBOX set; PORT (default 3000), HOST (127.0.0.1).
const dispatcher = new OutboxDispatcher();
const app = createApp({ env: process.env, dispatcher });
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? "127.0.0.1";
const server = serve({ fetch: app.fetch, port, hostname }, (info: AddressInfo) => {
  console.log(`Alma webhooks on http://${hostname}:${info.port}/alma/webhook`);
});
// serve() gives node's http.Server (node-server's default createServer).
limitServer(server as Server);
process.once("SIGTERM", () => server.close());
