import { answerChallenge, DEFAULT_MAX_CHALLENGE_LENGTH } from "./challenge.js";
import type { ExecutionDispatcher } from "./dispatcher.js";
import { DispatchFailedError, InvalidRouterOptionsError } from "./errors.js";
import { normaliseEvent, type WebhookRequest } from "./http/request.js";
import { type HttpResponse, toHttpResponse } from "./http/response.js";
import { type Logger, silentLogger } from "./logger.js";
import type { ChallengeFormat, Outcome, PluginResult } from "./outcome.js";
import type { JobEndPayload } from "./payload/types.js";
import { isJobEnd, parseWebhookBody } from "./payload/validate.js";
import type { ActivePlugin } from "./plugin/registry.js";
import { SIGNATURE_HEADER, verifySignature } from "./signature.js";

/**
 * Lambda's own limit on a synchronous request payload: the default body limit.
 *
 * @example
 * ```ts
 * createWebhookRouter({ ...options, maxBodyBytes: DEFAULT_MAX_BODY_BYTES / 2 });
 * ```
 */
export const DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024;

/**
 * Everything the router needs; build it once per cold start.
 *
 * @example
 * ```ts
 * const options: WebhookRouterOptions = { secrets: ["itsasecret"], workspace: "dev", plugins: active, dispatcher };
 * ```
 */
export interface WebhookRouterOptions {
  /** Active webhook secrets: the current one first, then any still accepted during a rotation. */
  readonly secrets: readonly string[];
  /** Runtime environment (`dev`, `stage`, `prod`): only jobs whose name contains it are acted on. */
  readonly workspace: string;
  readonly plugins: readonly ActivePlugin[];
  readonly dispatcher: ExecutionDispatcher;
  readonly logger?: Logger;
  /** How the GET challenge is answered; default `"text"`. */
  readonly challengeFormat?: ChallengeFormat;
  /** Bodies larger than this are refused with 413 before any hashing; default 6 MiB. */
  readonly maxBodyBytes?: number;
  readonly maxChallengeLength?: number;
  /**
   * Called, and awaited, with every unexpected error (a bug in core, a plugin or the dispatcher) before the
   * 500 answer is returned: the place to capture and flush to an error tracker. Its own failures are ignored.
   */
  readonly reportError?: (error: unknown, context: Readonly<Record<string, unknown>>) => unknown;
}

/**
 * The webhook router: any Lambda HTTP event in, an HTTP answer out. Never throws.
 *
 * @example
 * ```ts
 * export const handler = (event: unknown) => router.handle(event);
 * ```
 */
export interface WebhookRouter {
  /** Decides and answers; logs one decision line. */
  handle(event: unknown): Promise<HttpResponse>;
  /** Decides only: the typed outcome, for tests and other shells. */
  decide(event: unknown): Promise<Outcome>;
}

/** What the decision line says; filled in as the request travels. A type, so it is a LogFields. */
type Facts = {
  requestId?: string;
  front?: string;
  method?: string;
  action?: string;
  jobId?: string;
  jobName?: string;
  // The decision itself, added when the line is written.
  outcome?: Outcome["kind"];
  statusCode?: number;
  plugins?: readonly PluginResult[];
  reason?: string;
  error?: string;
};

const XML_CONTENT_TYPE = /[/+]xml\b/i;

function looksLikeXml(request: WebhookRequest): boolean {
  // The bytes decide where they can: a JSON body sent with an XML content type is still JSON.
  const start = request.body
    .subarray(0, 64)
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .trimStart();
  if (start.startsWith("<")) return true;
  if (start.startsWith("{") || start.startsWith("[")) return false;
  return XML_CONTENT_TYPE.test(request.headers["content-type"] ?? "");
}

function exportedRecords(payload: JobEndPayload, counters: readonly string[]): number {
  let total = 0;
  for (const counter of payload.job_instance.counter) {
    if (counters.includes(counter.type.value)) total += Number(counter.value);
  }
  return total;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * Builds the webhook router from its options. Checks them at once (cold start), so a misconfigured router
 * fails before the first request rather than on it.
 *
 * @example
 * ```ts
 * const { active } = loadPlugins([podPlugin], process.env);
 * const router = createWebhookRouter({
 *   secrets: [process.env.ALMA_CHALLENGE_SECRET ?? ""],
 *   workspace: "dev",
 *   plugins: active,
 *   dispatcher,
 *   logger,
 * });
 * const response = await router.handle(event);
 * ```
 */
export function createWebhookRouter(options: WebhookRouterOptions): WebhookRouter {
  const secrets = options.secrets.filter((secret) => secret.length > 0);
  if (secrets.length === 0)
    throw new InvalidRouterOptionsError("At least one non-empty webhook secret is required.");
  if (options.workspace.trim() === "")
    throw new InvalidRouterOptionsError("The workspace must not be empty.");
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!(maxBodyBytes > 0)) throw new InvalidRouterOptionsError("maxBodyBytes must be a positive number.");
  const { workspace, plugins, dispatcher } = options;
  const logger = options.logger ?? silentLogger;
  const challengeFormat = options.challengeFormat ?? "text";
  const maxChallengeLength = options.maxChallengeLength ?? DEFAULT_MAX_CHALLENGE_LENGTH;
  const environmentMark = workspace.toLowerCase();

  async function report(error: unknown, context: Record<string, unknown>): Promise<void> {
    try {
      await options.reportError?.(error, context);
    } catch {
      // The error tracker failing must not change the answer.
    }
  }

  async function runPlugin(active: ActivePlugin, payload: JobEndPayload): Promise<PluginResult> {
    const { plugin } = active;
    const job = payload.job_instance;
    const base = { plugin: active.name };
    if (!plugin.acceptedStatuses.includes(job.status.value)) {
      return { ...base, decision: "status-not-accepted", status: job.status.value };
    }
    if (exportedRecords(payload, plugin.exportedRecordCounters) === 0)
      return { ...base, decision: "zero-records" };
    let executionName: string | undefined;
    try {
      const plan = plugin.buildExecution(job, { settings: active.settings, workspace, payload });
      if ("declined" in plan) {
        logger.warn(`${active.name} declined the job: ${plan.declined}`, {
          plugin: active.name,
          jobId: job.id,
        });
        return { ...base, decision: "declined", reason: plan.declined };
      }
      executionName = plan.name;
      const input = JSON.stringify(plan.input);
      const result = await dispatcher.start({
        plugin: active.name,
        target: active.target,
        name: plan.name,
        input,
      });
      if (result.status === "failed") {
        // A permanent failure needs a person: hand it to the error tracker (transient ones are retried).
        if (!result.transient) {
          await report(new DispatchFailedError(active.name, plan.name, result.error), {
            plugin: active.name,
            jobId: job.id,
          });
        }
        return {
          ...base,
          decision: "failed",
          transient: result.transient,
          error: result.error,
          executionName,
        };
      }
      return { ...base, decision: result.status, executionName, executionArn: result.executionArn };
    } catch (error) {
      // One plugin's bug must not cost the others their run: it becomes this plugin's permanent failure.
      await report(error, { plugin: active.name, jobId: job.id });
      return { ...base, decision: "failed", transient: false, error: messageOf(error), executionName };
    }
  }

  async function evaluate(event: unknown, facts: Facts): Promise<Outcome> {
    const normalised = normaliseEvent(event);
    if (!normalised.ok) return { kind: "not-http", reason: normalised.reason };
    const { request } = normalised;
    facts.requestId = request.requestId;
    facts.front = request.front;
    facts.method = request.method;
    if (request.method === "GET") return answerChallenge(request, challengeFormat, maxChallengeLength);
    if (request.method !== "POST") return { kind: "method-not-allowed", method: request.method };
    if (request.body.length > maxBodyBytes) {
      return { kind: "too-large", size: request.body.length, limit: maxBodyBytes };
    }
    if (!verifySignature(request.body, request.headers[SIGNATURE_HEADER], secrets))
      return { kind: "unauthorized" };
    if (looksLikeXml(request)) return { kind: "xml-body" };
    const parsed = parseWebhookBody(request.body, request.text);
    if (!parsed.ok) return { kind: "invalid-body", reason: parsed.reason };
    const { payload } = parsed;
    facts.action = payload.action;
    if (!isJobEnd(payload)) return { kind: "not-job-end", action: payload.action };
    const jobName = payload.job_instance.name;
    facts.jobId = payload.job_instance.id;
    facts.jobName = jobName;
    if (!jobName.toLowerCase().includes(environmentMark)) {
      return { kind: "other-environment", workspace, jobName };
    }
    const claimants = plugins.filter((active) => active.matcher.matches(jobName));
    if (claimants.length === 0) return { kind: "unclaimed", jobName };
    const results = await Promise.all(claimants.map((active) => runPlugin(active, payload)));
    return { kind: "handled", jobName, results };
  }

  async function decideWith(event: unknown, facts: Facts): Promise<Outcome> {
    try {
      return await evaluate(event, facts);
    } catch (error) {
      await report(error, { ...facts });
      return { kind: "internal-error", error: messageOf(error) };
    }
  }

  function logDecision(facts: Facts, outcome: Outcome, statusCode: number): void {
    // The facts object is this request's own: the line's fields are added to it, not copied (hot path).
    const fields = facts;
    fields.outcome = outcome.kind;
    fields.statusCode = statusCode;
    if (outcome.kind === "handled") fields.plugins = outcome.results;
    else if (outcome.kind === "internal-error") fields.error = outcome.error;
    else if ("reason" in outcome) fields.reason = outcome.reason;
    if (outcome.kind === "internal-error") logger.error("webhook decision", fields);
    else logger.info("webhook decision", fields);
  }

  return {
    decide: (event) => decideWith(event, {}),
    async handle(event) {
      const facts: Facts = {};
      const outcome = await decideWith(event, facts);
      const response = toHttpResponse(outcome);
      try {
        logDecision(facts, outcome, response.statusCode);
      } catch {
        // A failing logger must not turn a decided request into a crash.
      }
      return response;
    },
  };
}
