import { createWebhooks, type Webhooks } from "@alma-webhooks/core";
import { createFastifyPlugin } from "@alma-webhooks/core/fastify";
import Fastify, { type FastifyInstance } from "fastify";
import type { LoanDesk } from "./loan-desk.js";

/** What the service is built from: the webhook secret and the desk that receives new loans. */
export interface AppOptions {
  readonly secret: string;
  readonly desk: LoanDesk;
}

/** The handlers: every LOAN_CREATED webhook becomes a loan at the desk. */
export function createLoanWebhooks({ secret, desk }: AppOptions): Webhooks {
  return createWebhooks({ secret }).on("LOAN.LOAN_CREATED", ({ id, payload }) => desk.add(id, payload));
}

/**
 * The server's bounds, so that idle or stalled clients cannot pile up: fastify has no request timeout by
 * default (node's 300 s requestTimeout is turned off by fastify). A whole request within 10 s, an idle
 * connection closed after 10 s, a body of 1 MiB at most (core's limit; Alma's bodies are a few KiB).
 * `make bench` measures 40 stalled uploads against this app (bench/stalled-uploads.mjs).
 */
export const SERVER_LIMITS = {
  requestTimeout: 10_000,
  connectionTimeout: 10_000,
  bodyLimit: 1024 * 1024,
} as const;

/**
 * The fastify app: Alma's webhook at /alma/webhook (GET challenge, POST events) in its own encapsulated
 * context, whose parser keeps the raw bytes the signature covers; the rest of the app parses JSON as usual.
 */
export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify(SERVER_LIMITS);
  await app.register(createFastifyPlugin(createLoanWebhooks(options), { path: "/alma/webhook" }));
  app.get("/health", async () => "ok");
  app.get("/loans", async () => options.desk.loans);
  // JSON as usual outside the webhook's context: fastify's own parser still runs here.
  app.post("/echo", async (request) => request.body);
  return app;
}
