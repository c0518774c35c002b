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
 * The fastify app: Alma's webhook at /alma/webhook (GET challenge, POST events) in its own encapsulated
 * context, whose parser keeps the raw bytes the signature covers; the rest of the app parses JSON as usual.
 */
export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(createFastifyPlugin(createLoanWebhooks(options), { path: "/alma/webhook" }));
  app.get("/health", async () => "ok");
  app.get("/loans", async () => options.desk.loans);
  // JSON as usual outside the webhook's context: fastify's own parser still runs here.
  app.post("/echo", async (request) => request.body);
  return app;
}
