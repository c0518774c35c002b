import type { Server } from "node:http";
import { createWebhookRouter, type ExecutionDispatcher, loadPlugins } from "@alma-webhooks/core";
import { createFetchHandler } from "@alma-webhooks/core/fetch";
import { Hono } from "hono";
import { loanDeskPlugin } from "./loan-desk-plugin.js";

/** What the service is built from: its environment (the plugin's settings) and where entries go. */
export interface AppOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly dispatcher: ExecutionDispatcher;
  /** Bodies over this are refused with 413 while streaming; default core's (6 MiB). */
  readonly maxBodyBytes?: number;
}

/** The Hono app: Alma's webhook at /alma/webhook (GET challenge, POST events) and a health check. */
export function createApp({ env, dispatcher, maxBodyBytes }: AppOptions): Hono {
  const { active, warnings, problems } = loadPlugins([loanDeskPlugin], env);
  for (const line of [...warnings, ...problems]) console.warn(line);
  const router = createWebhookRouter({
    secrets: [env.ALMA_CHALLENGE_SECRET ?? ""],
    workspace: env.WORKSPACE ?? "dev",
    plugins: active,
    dispatcher,
    ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
  });
  const handleWebhook = createFetchHandler(router);
  const app = new Hono();
  app.get("/health", (c) => c.text("ok"));
  // The raw Request: core reads the body's bytes itself (the signature covers them exactly).
  app.all("/alma/webhook", (c) => handleWebhook(c.req.raw));
  return app;
}

/**
 * Bounds the HTTP server, so that idle or stalled clients cannot pile up: a whole request within 10 s
 * (Node's default is 300 s), headers within 5 s, 200 connections at most. Core's node adapter also gives up on
 * a body not received within 5 s and reads 1 MiB at most.
 */
export function limitServer<S extends Pick<Server, "requestTimeout" | "headersTimeout" | "maxConnections">>(
  server: S,
): S {
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.maxConnections = 200;
  return server;
}
