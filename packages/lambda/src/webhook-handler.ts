import { type HttpResponse, raceDeadline, toHttpResponse } from "@alma-webhooks/core";
import { handleLambdaEvent } from "@alma-webhooks/core/lambda";
import type { Context } from "aws-lambda";
import type { DependencyContainer } from "tsyringe";
import type { Configuration } from "./config.js";
import { type AppContainerOptions, createAppContainer } from "./container.js";
import { createLogger } from "./logger.js";
import { createDecisionMetrics } from "./metrics.js";
import { type RedeliveryAnswer, redeliver, redeliveryOf } from "./redeliver.js";
import { TOKENS } from "./tokens.js";

/**
 * The webhook Lambda's handler: any HTTP event in, an HTTP answer out; a redelivery event (a direct invoke,
 * `{"redeliver": {"ids": [...]}}`) in, its results out. Never throws.
 */
export type WebhookHandler = (event: unknown, context?: Context) => Promise<HttpResponse>;
/** `elapsedMs`: how long the invocation ran before the handler was ready (a cold start builds it). */
type AnyHandler = (
  event: unknown,
  context?: Context,
  elapsedMs?: number,
) => Promise<HttpResponse | RedeliveryAnswer>;

/**
 * Answered when the router has not decided by the invocation's answer deadline (a hang no budget caught):
 * 503, so that Alma retries, sent before the function's timeout would answer nothing at all.
 */
export const DEADLINE_PASSED: HttpResponse = {
  ...toHttpResponse({ kind: "secret-unavailable", error: "" }),
  body: "The webhook was not processed in time; the event was not processed and may be retried.",
};

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

async function start(options: WebhookHandlerOptions): Promise<AnyHandler> {
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
  const budget = container.resolve(TOKENS.Budget);
  const keeper = container.resolve(TOKENS.Keeper);
  const clock = container.resolve(TOKENS.Clock);
  /** One webhook event, from the request to the answer, inside the invocation's one deadline. */
  async function serve(event: unknown): Promise<HttpResponse> {
    keeper.begin(event);
    history?.begin();
    let late = false;
    const response = await raceDeadline(handleLambdaEvent(router, event), budget.left(), () => {
      late = true;
      return DEADLINE_PASSED;
    });
    if (late) {
      logger.error("webhook decision", {
        outcome: "internal-error",
        statusCode: DEADLINE_PASSED.statusCode,
        notDelivered: "deadline",
        error: "DeadlineError: the router did not decide by the invocation's answer deadline",
      });
    }
    // The history write, the kept bytes (started with the decision) are awaited only until the answer is
    // due: a hung store never holds the answer back. Each is bounded on its own as well. With neither (no
    // table, nothing kept: most webhooks), no timer is set.
    if (history || keeper.busy) {
      await raceDeadline(Promise.all([history?.settle(), keeper.settle()]), budget.left(), () => undefined);
    }
    return response;
  }
  return async (event, context, elapsedMs = 0) => {
    const invoked = Date.now() - elapsedMs;
    if (context) logger.addContext(context);
    budget.begin(context, elapsedMs);
    try {
      const redelivery = redeliveryOf(event);
      if (redelivery === undefined) return await serve(event);
      if ("refused" in redelivery) {
        logger.error("redelivery refused", { error: redelivery.refused });
        return { error: redelivery.refused, results: [] };
      }
      return await redeliver(redelivery.ids, {
        store: container.resolve(TOKENS.Undelivered),
        logger,
        beginNext: () => {
          // Each kept webhook gets what the invocation has left, as a webhook from Alma would.
          budget.begin(context, Date.now() - invoked);
          return budget.left();
        },
        readBy: () => budget.dispatchBy ?? budget.answerBy,
        markBy: () => budget.answerBy,
        now: () => clock.now(),
        serve: async (kept) => {
          const response = await serve(kept);
          return { response, outcome: keeper.last?.outcome ?? "unknown" };
        },
      });
    } finally {
      budget.end();
    }
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
  let ready: Promise<AnyHandler> | undefined;
  return async (event, context) => {
    try {
      ready ??= start(options);
      // A redelivery's answer is JSON, not an HTTP answer: the type serves the HTTP callers.
      return (await (
        await ready
      )(event, context)) as HttpResponse;
    } catch (error) {
      // Only a bug gets here (the router itself never throws); the next request starts afresh.
      ready = undefined;
      // The container's logger may be what failed: a fresh one, in the same Powertools JSON as every line.
      createLogger(options.env ?? process.env).error("Unexpected error in the webhook handler", { error });
      return INTERNAL_ERROR;
    }
  };
}
