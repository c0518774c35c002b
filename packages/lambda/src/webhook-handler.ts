import { type HttpResponse, toHttpResponse } from "@alma-webhooks/core";
import { handleLambdaEvent } from "@alma-webhooks/core/lambda";
import type { Context } from "aws-lambda";
import type { DependencyContainer } from "tsyringe";
import type { Configuration } from "./config.js";
import { type AppContainerOptions, createAppContainer } from "./container.js";
import { createLogger } from "./logger.js";
import { createDecisionMetrics } from "./metrics.js";
import { TOKENS } from "./tokens.js";

/** The webhook Lambda's handler: any HTTP event in, an HTTP answer out; never throws. */
export type WebhookHandler = (event: unknown, context?: Context) => Promise<HttpResponse>;

// The same 500 core gives a bug; only the wording differs for a misconfiguration.
const INTERNAL_ERROR = toHttpResponse({ kind: "internal-error", error: "" });

/** Answered to every request while the configuration is invalid: 500, so Alma keeps the event and retries. */
export const MISCONFIGURED: HttpResponse = {
  ...INTERNAL_ERROR,
  body: "The webhook service is misconfigured; the event was not processed.",
};

/** Handler options: a prepared container (tests), or what to build one from. */
export interface WebhookHandlerOptions extends AppContainerOptions {
  readonly container?: DependencyContainer;
}

async function start(options: WebhookHandlerOptions): Promise<WebhookHandler> {
  const container = options.container ?? createAppContainer(options);
  const logger = container.resolve(TOKENS.Logger);
  let configuration: Configuration;
  try {
    configuration = container.resolve(TOKENS.Configuration);
  } catch (error) {
    const problems = (error as { problems?: readonly string[] }).problems ?? [String(error)];
    // Logged once per cold start; every request is then answered 500 until the deployment is fixed.
    logger.error("Invalid configuration: every request will be answered 500", { problems });
    return async () => MISCONFIGURED;
  }
  for (const warning of configuration.warnings) logger.warn(warning);
  if (configuration.problems.length > 0) {
    // Each breaks its own plugin only: the jobs it claims are answered 500 until the setting is fixed.
    logger.error("Invalid plugin settings: the jobs these plugins claim will be answered 500", {
      problems: configuration.problems,
    });
  }
  // Powertools Metrics is imported only when POWERTOOLS_METRICS_NAMESPACE is set (metrics.ts).
  const metrics = await createDecisionMetrics(container.resolve(TOKENS.Environment));
  if (metrics) container.register(TOKENS.Metrics, { useValue: metrics });
  const router = container.resolve(TOKENS.Router);
  logger.info(
    `Started: Sentry error reporting is ${container.resolve(TOKENS.ErrorReporter).enabled ? "on" : "off"}`,
    {
      workspace: configuration.workspace,
      plugins: configuration.plugins.map(
        (plugin) =>
          `${plugin.name} (${plugin.problems ? "broken" : (plugin.matcher?.description ?? "events")})`,
      ),
    },
  );
  const history = container.resolve(TOKENS.Ledger);
  return async (event, context) => {
    if (context) logger.addContext(context);
    if (history === null) return handleLambdaEvent(router, event);
    history.begin();
    const response = await handleLambdaEvent(router, event);
    // The history write is bounded (HISTORY_WAIT_MS) and never fails: awaited so Lambda does not freeze it.
    await history.settle();
    return response;
  };
}

/**
 * Creates the webhook handler. The container, configuration and router are built once, on the first
 * invocation of a cold start, and reused; an invalid configuration is logged once and answered 500.
 *
 * @example
 * ```ts
 * export const handler = createWebhookHandler();
 * ```
 */
export function createWebhookHandler(options: WebhookHandlerOptions = {}): WebhookHandler {
  let ready: Promise<WebhookHandler> | undefined;
  return async (event, context) => {
    try {
      ready ??= start(options);
      return await (await ready)(event, context);
    } catch (error) {
      // Only a bug gets here (the router itself never throws); the next request starts afresh.
      ready = undefined;
      // The container's logger may be what failed: a fresh one, in the same Powertools JSON as every line.
      createLogger(options.env ?? process.env).error("Unexpected error in the webhook handler", { error });
      return INTERNAL_ERROR;
    }
  };
}
