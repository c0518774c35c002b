import type { Server } from "node:http";
import { createWebhooks, type Webhooks } from "@alma-webhooks/core";
import { createNodeMiddleware } from "@alma-webhooks/core/node";
import express, { type Express } from "express";
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
 * The Express app: Alma's webhook at /alma/webhook (GET challenge, POST events), mounted before
 * express.json() so that core reads the raw bytes the signature covers; the rest of the app parses JSON.
 */
export function createApp(options: AppOptions): Express {
  const app = express();
  app.use(createNodeMiddleware(createLoanWebhooks(options), { path: "/alma/webhook" }));
  app.use(express.json());
  app.get("/health", (_request, response) => {
    response.type("text").send("ok");
  });
  app.get("/loans", (_request, response) => {
    response.json(options.desk.loans);
  });
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
