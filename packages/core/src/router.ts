import { answerChallenge, DEFAULT_MAX_CHALLENGE_LENGTH } from "./challenge.js";
import type { ExecutionDispatcher } from "./dispatcher.js";
import {
  InvalidPayloadError,
  InvalidRouterOptionsError,
  messageOf,
  WebhookNotDeliveredError,
} from "./errors.js";
import { bodyIdentity, namedWebhook, webhookIdentity } from "./execution-name.js";
import {
  type HttpRequest,
  type NormaliseResult,
  readRequest,
  type UnreadableRequest,
  type WebhookRequest,
} from "./http/request.js";
import { type HttpResponse, toHttpResponse } from "./http/response.js";
import { type Logger, silentLogger } from "./logger.js";
import {
  type ChallengeFormat,
  type NotDeliveredReason,
  notDeliveredReason,
  type Outcome,
  type PluginResult,
} from "./outcome.js";
import { eventAge } from "./payload/age.js";
import { parseBody } from "./payload/formats.js";
import { checkJobEnd } from "./payload/job-end.js";
import { eventValueOf } from "./payload/kinds.js";
import type { WebhookPayload } from "./payload/types.js";
import { claims, dispatch, type PlanContext, plan, type Webhook } from "./plan.js";
import { foldJobName } from "./plugin/matchers.js";
import type { ActivePlugin } from "./plugin/registry.js";
import { checkSignature, type SecretSource, type Secrets } from "./secret-source.js";

/**
 * The default body limit, 6 MiB: far above any Alma webhook, and what a synchronous Lambda invocation takes.
 *
 * @example
 * ```ts
 * createWebhookRouter({ ...options, maxBodyBytes: DEFAULT_MAX_BODY_BYTES / 2 });
 * ```
 */
export const DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024;

/**
 * The record of one decision: what the router logs as the decision line and tells
 * {@link WebhookRouterOptions.onDecision} (request id, action, job, outcome, status code, each plugin's
 * result). The decision itself, typed, is an {@link Outcome} (`router.outcomeOf`).
 *
 * @example
 * ```ts
 * onDecision: (record: DecisionRecord) => metrics.count(record.outcome),
 * ```
 */
export type DecisionRecord = {
  readonly requestId?: string;
  readonly front?: string;
  readonly method?: string;
  readonly format?: "json" | "xml";
  readonly action?: string;
  readonly event?: string;
  readonly jobId?: string;
  readonly jobName?: string;
  /** The webhook's identity (execution-name.ts), once a plugin claimed it. */
  readonly identity?: string;
  readonly outcome: Outcome["kind"];
  readonly statusCode: number;
  readonly plugins?: readonly PluginResult[];
  readonly reason?: string;
  readonly error?: string;
  /**
   * Set when a webhook that may be Alma's was not delivered ({@link notDeliveredReason}): the line is logged
   * at ERROR and reported; metrics, the delivery history and the kept bytes read the reason here.
   */
  readonly notDelivered?: NotDeliveredReason;
  /** The signature verified: the body is Alma's (a not-delivered one is worth keeping). */
  readonly verified?: boolean;
};

/**
 * The former name of {@link DecisionRecord}.
 *
 * @deprecated Use {@link DecisionRecord}: the decision is the {@link Outcome}, this is its log record.
 * @example
 * ```ts
 * const record: Decision = { outcome: "challenge", statusCode: 200 };
 * ```
 */
export type Decision = DecisionRecord;

/**
 * Everything the router needs; build it once per cold start.
 *
 * @example
 * ```ts
 * const options: WebhookRouterOptions = { secrets: ["itsasecret"], workspace: "dev", plugins: active, dispatcher };
 * ```
 */
export interface WebhookRouterOptions {
  /**
   * Active webhook secrets, used exactly as given: the current one first, then any still accepted during a
   * rotation. Or a {@link SecretSource} that reads them from a store at run time (a failure is answered 503).
   */
  readonly secrets: Secrets;
  /**
   * Runtime environment (`dev`, `stage`, `prod`): only jobs whose name contains it, ignoring case, are acted
   * on (the environment gate). Absent: no environment gate, every job end goes to the plugins that claim it.
   * Must not be blank when given.
   */
  readonly workspace?: string;
  readonly plugins: readonly ActivePlugin[];
  readonly dispatcher: ExecutionDispatcher;
  readonly logger?: Logger;
  /** How the GET challenge is answered; default `"text"`. */
  readonly challengeFormat?: ChallengeFormat;
  /** Bodies larger than this are refused with 413 before any hashing; default 6 MiB. */
  readonly maxBodyBytes?: number;
  readonly maxChallengeLength?: number;
  /**
   * When set, a claimed webhook whose `time` (or `job_instance.end_time` when `time` is absent) is older than
   * this many milliseconds is answered 200 "too old" and nothing starts: a guard against replays of captured
   * signed bodies, since Alma's signature covers no timestamp. Off by default.
   */
  readonly maxEventAgeMs?: number;
  /**
   * The time one POST may spend reading stored secrets and dispatching, in milliseconds: past it a secret
   * read is answered 503, and dispatchers are asked (`ExecutionRequest.deadline`) to give up as transient.
   * No limit by default; the Lambda shell sets one that ends inside its function timeout and Alma's 5 s.
   */
  readonly timeBudgetMs?: number;
  /**
   * The clock, for the event age and the webhook's deadline (the secret read and every dispatch measure
   * their time on it); default `Date.now`. The Lambda shell gives its one `Clock`.
   */
  readonly now?: () => number;
  /**
   * The end of the time the host gives this request, asked once per POST (the Lambda shell: what the
   * invocation has left, less what the steps after the decision need); the webhook's deadline is the
   * earlier of it and `timeBudgetMs`. Undefined: `timeBudgetMs` alone.
   */
  readonly deadline?: () => number | undefined;
  /**
   * Called, and awaited, with every unexpected error (a bug in core, a plugin or the dispatcher) before the
   * 500 answer is returned: the place to capture and flush to an error tracker. Its own failures are ignored.
   */
  readonly reportError?: (error: unknown, context: Readonly<Record<string, unknown>>) => unknown;
  /** Called with every decision after it is logged: the place for metrics. Its own failures are ignored. */
  readonly onDecision?: (decision: DecisionRecord) => void;
}

/**
 * The webhook router: an HTTP request in, an HTTP answer out, with one decision line logged. Never throws.
 * Every adapter serves it through `handleRequest`: `node`, `fetch`, `fastify`, and `lambda`
 * (`handleLambdaEvent(router, event)`, for the Lambda HTTP fronts).
 *
 * @example
 * ```ts
 * const answer = await router.handleRequest({ method: "GET", headers: {}, query: { challenge: "abc" }, body: "" });
 * ```
 */
export interface WebhookRouter {
  /**
   * Decides and answers a request from any HTTP server, or an adapter's {@link UnreadableRequest} (answered
   * 400, `not-http`).
   */
  handleRequest(request: HttpRequest | UnreadableRequest): Promise<HttpResponse>;
  /** Decides only: the typed outcome of a request, for tests and other shells (nothing is logged). */
  outcomeOf(request: HttpRequest | UnreadableRequest): Promise<Outcome>;
  /** The body limit in force: an adapter that reads a stream stops there. */
  readonly maxBodyBytes: number;
}

/** The decision line, filled in as the request travels. */
type Facts = { -readonly [P in keyof DecisionRecord]?: DecisionRecord[P] };

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
 * const response = await router.handleRequest(request);
 * ```
 */
export function createWebhookRouter(options: WebhookRouterOptions): WebhookRouter {
  const secrets: Secrets = Array.isArray(options.secrets)
    ? (options.secrets as readonly string[]).filter((secret) => secret.length > 0)
    : options.secrets;
  if (Array.isArray(secrets) ? secrets.length === 0 : typeof (secrets as SecretSource).current !== "function")
    throw new InvalidRouterOptionsError("At least one non-empty webhook secret is required.");
  if (options.workspace !== undefined && options.workspace.trim() === "")
    throw new InvalidRouterOptionsError(
      "The workspace must not be empty (leave it out for no environment gate).",
    );
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!(maxBodyBytes > 0)) throw new InvalidRouterOptionsError("maxBodyBytes must be a positive number.");
  const { maxEventAgeMs } = options;
  if (maxEventAgeMs !== undefined && !(maxEventAgeMs > 0)) {
    throw new InvalidRouterOptionsError("maxEventAgeMs must be a positive number of milliseconds.");
  }
  const { plugins, dispatcher } = options;
  const workspace = options.workspace ?? "";
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const challengeFormat = options.challengeFormat ?? "text";
  const maxChallengeLength = options.maxChallengeLength ?? DEFAULT_MAX_CHALLENGE_LENGTH;
  const environmentMark = options.workspace === undefined ? undefined : workspace.toLowerCase();
  const claimedActions = new Set(plugins.flatMap((active) => active.plugin.actions));

  async function report(error: unknown, context: Record<string, unknown>): Promise<void> {
    try {
      await options.reportError?.(error, context);
    } catch {
      // The error tracker failing must not change the answer.
    }
  }
  const context: PlanContext = { workspace, logger, dispatcher, now, report };
  /** The webhook's one deadline: `timeBudgetMs` from now, or the host's end when that comes first. */
  function deadlineOf(): number | undefined {
    const budgeted = options.timeBudgetMs === undefined ? undefined : now() + options.timeBudgetMs;
    const host = options.deadline?.();
    if (host === undefined) return budgeted;
    return budgeted === undefined ? host : Math.min(budgeted, host);
  }

  function tooOld(payload: WebhookPayload, job?: Record<string, unknown>): string | undefined {
    if (maxEventAgeMs === undefined) return undefined;
    const age = eventAge(payload, job, now());
    return age !== undefined && age.ms > maxEventAgeMs ? age.time : undefined;
  }

  /** The gates (environment for a job end, a claimed action for the rest), the claim, the plans, the dispatch. */
  async function route(
    payload: WebhookPayload,
    request: WebhookRequest,
    facts: Facts,
    deadline: number | undefined,
    steps: PlanContext,
  ): Promise<Outcome> {
    const { action } = payload;
    let webhook: Webhook;
    if (action === "JOB_END") {
      const job = checkJobEnd(payload).job_instance;
      facts.jobName = job.name;
      if (typeof job.id === "string") facts.jobId = job.id;
      // Folded once per request for the environment gate and every matcher, not once per plugin: the cost of
      // an unclaimed job then stays flat as plugins are added (make bench's scaling figures).
      const folded = foldJobName(job.name);
      if (environmentMark !== undefined && !folded.includes(environmentMark)) {
        return { kind: "other-environment", workspace, jobName: job.name };
      }
      webhook = { payload, body: request.body, job, folded };
    } else {
      if (!claimedActions.has(action)) return { kind: "not-job-end", action };
      const event = eventValueOf(payload);
      if (event !== undefined) facts.event = event;
      webhook = { payload, body: request.body };
    }
    const { job } = webhook;
    const claimants = plugins.filter((active) => claims(active, webhook));
    if (claimants.length === 0) {
      return job ? { kind: "unclaimed", jobName: job.name } : { kind: "unclaimed-event", action };
    }
    const time = tooOld(payload, job);
    if (time !== undefined)
      return job ? { kind: "too-old", jobName: job.name, time } : { kind: "too-old", action, time };
    const named = namedWebhook(payload, job, request.body);
    facts.identity = webhookIdentity(payload, job, named);
    const planned = plan(claimants, webhook, named, steps);
    const results = await Promise.all(
      planned.map((step) =>
        dispatch(
          step,
          {
            action,
            ...(facts.jobId ? { jobId: facts.jobId } : {}),
            ...(deadline ? { deadline } : {}),
            payload,
            rawBody: request.body,
            ...(facts.format ? { format: facts.format } : {}),
          },
          steps,
        ),
      ),
    );
    return job ? { kind: "handled", jobName: job.name, results } : { kind: "handled", action, results };
  }

  async function evaluate(normalised: NormaliseResult, facts: Facts, reported: Reported): Promise<Outcome> {
    if (!normalised.ok) return { kind: "not-http", reason: normalised.reason };
    const { request } = normalised;
    facts.requestId = request.requestId;
    facts.front = request.front;
    facts.method = request.method;
    if (request.method === "GET") return answerChallenge(request, challengeFormat, maxChallengeLength);
    if (request.method !== "POST") return { kind: "method-not-allowed", method: request.method };
    if (request.bodyAlreadyRead !== undefined)
      return { kind: "body-already-read", cause: request.bodyAlreadyRead };
    const size = request.bodyBytes ?? request.body.length;
    const limit = Math.min(maxBodyBytes, request.bodyLimit ?? maxBodyBytes);
    if (size > limit) return { kind: "too-large", size, limit };
    const deadline = deadlineOf();
    let signed: boolean;
    try {
      signed = await checkSignature(request, secrets, deadline, now);
    } catch (error) {
      await reported.report(error, { ...facts });
      return { kind: "secret-unavailable", error: messageOf(error) };
    }
    if (!signed) return { kind: "unauthorized" };
    facts.verified = true;
    reported.body = request.body;
    const parsed = await parseBody(request);
    if (!parsed.ok)
      return parsed.unsupported
        ? { kind: "unsupported-body" }
        : { kind: "invalid-body", reason: parsed.reason };
    facts.format = parsed.format;
    const { payload } = parsed;
    facts.action = payload.action;
    try {
      return await route(payload, request, facts, deadline, { ...context, report: reported.report });
    } catch (error) {
      if (error instanceof InvalidPayloadError) return { kind: "invalid-body", reason: error.message };
      throw error;
    }
  }

  async function decideWith(
    read: () => NormaliseResult,
    facts: Facts,
    reported: Reported = reportedOnce(),
  ): Promise<Outcome> {
    let outcome: Outcome;
    try {
      outcome = await evaluate(read(), facts, reported);
    } catch (error) {
      await reported.report(error, { ...facts });
      outcome = { kind: "internal-error", error: messageOf(error) };
    }
    // A verified webhook refused before it was named still gets an id: what its kept bytes are filed under.
    if (reported.body !== undefined && facts.identity === undefined && notDeliveredReason(outcome))
      facts.identity = bodyIdentity(reported.body);
    return outcome;
  }

  /**
   * One request's reports (whether any was made, so that a not-delivered webhook is reported once) and,
   * once its signature verified, its body.
   */
  type Reported = { made: boolean; body?: Buffer; readonly report: PlanContext["report"] };
  function reportedOnce(): Reported {
    const reported: Reported = {
      made: false,
      report: (error, context) => {
        reported.made = true;
        return report(error, context);
      },
    };
    return reported;
  }

  function logDecision(facts: Facts, outcome: Outcome, statusCode: number): DecisionRecord {
    const notDelivered = notDeliveredReason(outcome);
    const decision: DecisionRecord = {
      ...facts,
      outcome: outcome.kind,
      statusCode,
      ...(outcome.kind === "handled" ? { plugins: outcome.results } : {}),
      ...("error" in outcome ? { error: outcome.error } : {}),
      ...("reason" in outcome ? { reason: outcome.reason } : {}),
      ...(notDelivered ? { notDelivered } : {}),
    };
    if (outcome.kind === "body-already-read")
      logger.error("webhook decision: configuration error", { ...decision, reason: outcome.cause });
    else if (notDelivered !== undefined) logger.error("webhook decision", decision);
    else if (outcome.kind === "too-old") logger.warn("webhook decision", decision);
    else logger.info("webhook decision", decision);
    return decision;
  }

  async function answer(read: () => NormaliseResult): Promise<HttpResponse> {
    const facts: Facts = {};
    const reported = reportedOnce();
    const outcome = await decideWith(read, facts, reported);
    const response = toHttpResponse(outcome);
    let decision: Decision | undefined;
    try {
      decision = logDecision(facts, outcome, response.statusCode);
      options.onDecision?.(decision);
    } catch {
      // A failing logger or metrics sink must not turn a decided request into a crash.
    }
    // Every webhook that is not delivered reaches the error tracker once: with the error that caused it
    // when one was reported on the way, with what the decision says otherwise.
    if (decision?.notDelivered !== undefined && !reported.made) {
      await report(
        new WebhookNotDeliveredError(
          decision.notDelivered,
          decision.identity,
          decision.reason ?? decision.error,
        ),
        decision,
      );
    }
    return response;
  }

  return {
    outcomeOf: (request) => decideWith(() => readRequest(request), {}),
    handleRequest: (request) => answer(() => readRequest(request)),
    maxBodyBytes,
  };
}
