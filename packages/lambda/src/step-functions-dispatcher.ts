import { isDeepStrictEqual } from "node:util";
import type { DispatchResult, ExecutionDispatcher, ExecutionRequest } from "@alma-webhooks/core";
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeStateMachineCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { DispatchTimeoutError } from "./errors.js";
import type { Clock, LambdaLogger } from "./services.js";

/**
 * The time budget of one StartExecution, so that the whole request ends well inside Alma's 5 seconds
 * (Alma treats a slower answer as a failure). Each attempt may take up to 0.5 s to connect and 1 s to be
 * answered; with the SDK's back-off, 3 attempts could add up to more than 4.5 s, so the dispatch is cut
 * off, as a transient failure, at 3 s. Before it, a cold start spends about 0.16 s (the POD cold-start
 * benchmark, SDK import included); after it, a permanent failure waits at most 1.2 s for the Sentry report
 * (loading Sentry, on the first report of a process, included: SENTRY_REPORT_BUDGET_MS in sentry.ts).
 * The answer leaves before 4.4 s in the worst case, and in about 3.1 s when Step Functions never answers.
 */
export const DISPATCH_BUDGET = Object.freeze({
  /** TCP/TLS connect, per attempt. */
  connectionTimeoutMs: 500,
  /** Waiting for the response, per attempt. */
  requestTimeoutMs: 1000,
  /** The SDK's standard retry strategy: the first try and two retries. */
  maxAttempts: 3,
  /**
   * Whatever the attempts and back-off add up to, the dispatch gives up (as transient) after this. The
   * follow-up calls (DescribeExecution after `ExecutionAlreadyExists`, DescribeStateMachine at the first
   * dispatch to a state machine) share it: they get what StartExecution left, never more.
   */
  totalMs: 3000,
  /** At most this much of what is left goes to the one-off DescribeStateMachine check. */
  stateMachineCheckMs: 500,
});

/**
 * The Step Functions client: one per cold start, so connections are reused. Region, credentials and
 * endpoint come from the standard SDK settings (`AWS_REGION`, the credentials chain,
 * `AWS_ENDPOINT_URL_SFN`).
 *
 * @example
 * ```ts
 * const client = createStepFunctionsClient();
 * ```
 */
export function createStepFunctionsClient(): SFNClient {
  return new SFNClient({
    maxAttempts: DISPATCH_BUDGET.maxAttempts,
    requestHandler: {
      connectionTimeout: DISPATCH_BUDGET.connectionTimeoutMs,
      requestTimeout: DISPATCH_BUDGET.requestTimeoutMs,
      // Without it the SDK only warns when requestTimeout passes, and keeps waiting.
      throwOnRequestTimeout: true,
    },
  });
}

/**
 * Error names that mean "not now, maybe later". The SDK's own throttling codes (the names its standard
 * retry strategy treats as throttling), Step Functions' throttling of the KMS key that encrypts the
 * execution data, the "unavailable" and timeout names, and one quota:
 *
 * `ExecutionLimitExceeded` is Step Functions' limit of open (running) executions per account and region.
 * It is not a fault of this request: it clears as running executions end, so it is answered as transient
 * (503) and Alma's own retries, after 1 h, 3 h and 6 h, deliver the job again when there is room. A 500
 * would lose the event. Still logged at ERROR, so a limit that never clears is seen.
 */
const TRANSIENT_NAMES = new Set([
  "BandwidthLimitExceeded",
  "EC2ThrottledException",
  "LimitExceededException",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ThrottledException",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "TransactionInProgressException",
  "KmsThrottlingException",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "InternalServerError",
  "InternalFailure",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "AbortError",
  "ExecutionLimitExceeded",
]);
/** Node's codes for a connection that failed, was reset or timed out. */
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  cause?: unknown;
  $fault?: string;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
}

/**
 * Whether a failed Step Functions call may succeed if tried later, so the webhook answers 503 and Alma
 * retries. Transient: whatever the SDK itself marks retryable (`$retryable`, throttling included), HTTP
 * 429 and 5xx, the throttling, unavailable and timeout names above (`ThrottlingException`,
 * `KmsThrottlingException`, `ServiceUnavailable`, `TimeoutError`, `AbortError`, …), network resets and
 * timeouts (`ECONNRESET`, `ETIMEDOUT`, …, also as the `cause` of another error), the dispatch budget
 * running out, and the `ExecutionLimitExceeded` quota. Not transient: a bad ARN, missing permissions,
 * invalid input, a missing state machine.
 *
 * @example
 * ```ts
 * isTransient({ name: "ThrottlingException" }); // true
 * isTransient({ name: "Error", $metadata: { httpStatusCode: 429 } }); // true
 * isTransient({ name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } }); // false
 * ```
 */
export function isTransient(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== "object") return false;
  if (error instanceof DispatchTimeoutError) return true;
  const { name = "", code = "", cause, $fault, $retryable, $metadata } = error as SdkError;
  const status = $metadata?.httpStatusCode ?? 0;
  return (
    $retryable !== undefined ||
    TRANSIENT_NAMES.has(name) ||
    status === 429 ||
    (status >= 500 && status <= 599) ||
    $fault === "server" ||
    NETWORK_CODES.has(code) ||
    (cause !== undefined && depth < 5 && isTransient(cause, depth + 1))
  );
}

const nameOf = (error: unknown): string => ((error ?? {}) as SdkError).name ?? "";

const describe = (error: unknown): string => {
  const { name = "Error", message = String(error) } = (error ?? {}) as SdkError;
  return `${name}: ${message}`;
};

const executionArnOf = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;

/** Step Functions parses the input, so two inputs are the same when they parse to the same JSON. */
function sameInput(a: string, b: string): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(a), JSON.parse(b));
  } catch {
    return a === b;
  }
}

/** An input as it goes into a log line or an error message: whole unless it is long. */
const quote = (input: string): string => (input.length > 500 ? `${input.slice(0, 500)}…` : input);

/** Execution statuses that mean the earlier run of this job did not do its work. */
const UNSUCCESSFUL = new Set(["FAILED", "TIMED_OUT", "ABORTED"]);

type LogFields = Record<string, unknown>;

/**
 * Starts executions with Step Functions' StartExecution, within {@link DISPATCH_BUDGET}.
 *
 * - Started: `started`.
 * - `ExecutionAlreadyExists`: the execution of that name is described (DescribeExecution, same budget)
 *   and its input compared with this delivery's, as parsed JSON. The same input is a `duplicate` (a WARN
 *   line when that earlier execution FAILED, TIMED_OUT or was ABORTED: a person may want to redrive it).
 *   Another input is a permanent failure (ERROR line; the router reports it and answers 500): something
 *   changed between two deliveries of one Alma job, and no execution was started for this one. When the
 *   description cannot be had (denied, failed, out of budget), the answer is `duplicate`, with a WARN line
 *   saying why.
 * - Any other error: `failed`, `transient` as {@link isTransient} says (503 and Alma retries, or 500).
 *
 * At the first successful dispatch to a state machine in this cold start, DescribeStateMachine is asked
 * for its type (at most {@link DISPATCH_BUDGET}`.stateMachineCheckMs` of what the budget left, awaited so
 * that no request is left in flight when Lambda freezes the process): an EXPRESS state machine gets one
 * WARN line, since Step Functions de-duplicates execution names only for STANDARD ones. Any error there
 * is an INFO line, never a failure.
 *
 * @example
 * ```ts
 * const dispatcher = new StepFunctionsDispatcher(createStepFunctionsClient(), logger, systemClock);
 * await dispatcher.start({ plugin: "PPOD", target: arn, name: "ppod-upload-…", input: "{}" });
 * ```
 */
export class StepFunctionsDispatcher implements ExecutionDispatcher {
  /** State machines whose type was asked for in this cold start (asked once, whatever the answer). */
  private readonly checkedStateMachines = new Set<string>();

  constructor(
    private readonly client: SFNClient,
    private readonly logger: LambdaLogger,
    private readonly clock: Clock,
  ) {}

  async start(request: ExecutionRequest): Promise<DispatchResult> {
    const started = this.clock.now();
    const budgetEnd = started + DISPATCH_BUDGET.totalMs;
    const fields = { plugin: request.plugin, stateMachineArn: request.target, executionName: request.name };
    let result: DispatchResult;
    try {
      const output = await this.call("StartExecution", budgetEnd, DISPATCH_BUDGET.totalMs, (abortSignal) =>
        this.client.send(
          new StartExecutionCommand({
            stateMachineArn: request.target,
            name: request.name,
            input: request.input,
          }),
          { abortSignal },
        ),
      );
      const executionArn = output.executionArn ?? executionArnOf(request.target, request.name);
      this.logger.info("execution started", {
        ...fields,
        executionArn,
        durationMs: this.clock.now() - started,
      });
      result = { status: "started", executionArn };
    } catch (error) {
      if (nameOf(error) === "ExecutionAlreadyExists") {
        result = await this.alreadyExists(request, fields, started, budgetEnd);
      } else {
        const transient = isTransient(error);
        this.logger.error("execution not started", {
          ...fields,
          transient,
          error: describe(error),
          durationMs: this.clock.now() - started,
        });
        return { status: "failed", transient, error: describe(error) };
      }
    }
    if (result.status !== "failed") await this.checkStateMachineType(request.target, budgetEnd);
    return result;
  }

  /** `ExecutionAlreadyExists`: a duplicate delivery, unless the execution of that name has another input. */
  private async alreadyExists(
    request: ExecutionRequest,
    fields: LogFields,
    started: number,
    budgetEnd: number,
  ): Promise<DispatchResult> {
    const expectedArn = executionArnOf(request.target, request.name);
    let existing: DescribeExecutionCommandOutput;
    try {
      existing = await this.call("DescribeExecution", budgetEnd, DISPATCH_BUDGET.totalMs, (abortSignal) =>
        this.client.send(new DescribeExecutionCommand({ executionArn: expectedArn }), { abortSignal }),
      );
    } catch (error) {
      this.logger.warn("execution already exists; its input could not be compared, answered as a duplicate", {
        ...fields,
        executionArn: expectedArn,
        reason: `DescribeExecution failed: ${describe(error)}`,
        durationMs: this.clock.now() - started,
      });
      return { status: "duplicate", executionArn: expectedArn };
    }
    const executionArn = existing.executionArn ?? expectedArn;
    const durationMs = this.clock.now() - started;
    if (existing.input === undefined) {
      this.logger.warn("execution already exists; its input could not be compared, answered as a duplicate", {
        ...fields,
        executionArn,
        reason: "DescribeExecution returned no input",
        durationMs,
      });
      return { status: "duplicate", executionArn };
    }
    if (!sameInput(existing.input, request.input)) {
      const error =
        `ExecutionAlreadyExists: execution ${request.name} already exists with another input ` +
        `(${quote(existing.input)}) than this delivery asks for (${quote(request.input)}); nothing was ` +
        "started: the Alma job changed between deliveries, or two jobs map to one execution name";
      this.logger.error("execution already exists with a different input: not started", {
        ...fields,
        executionArn,
        existingInput: quote(existing.input),
        requestedInput: quote(request.input),
        durationMs,
      });
      return { status: "failed", transient: false, error };
    }
    if (existing.status !== undefined && UNSUCCESSFUL.has(existing.status)) {
      this.logger.warn(
        `execution already exists and ended ${existing.status}: duplicate delivery, not started again`,
        { ...fields, executionArn, executionStatus: existing.status, durationMs },
      );
    } else {
      this.logger.info("execution already exists: duplicate delivery", {
        ...fields,
        executionArn,
        executionStatus: existing.status,
        durationMs,
      });
    }
    return { status: "duplicate", executionArn };
  }

  /** Once per state machine and cold start: warn when it is EXPRESS. Never fails. */
  private async checkStateMachineType(stateMachineArn: string, budgetEnd: number): Promise<void> {
    if (this.checkedStateMachines.has(stateMachineArn)) return;
    this.checkedStateMachines.add(stateMachineArn);
    try {
      const { type } = await this.call(
        "DescribeStateMachine",
        budgetEnd,
        DISPATCH_BUDGET.stateMachineCheckMs,
        (abortSignal) =>
          this.client.send(new DescribeStateMachineCommand({ stateMachineArn }), { abortSignal }),
      );
      if (type === "EXPRESS") {
        this.logger.warn("replays are not de-duplicated for EXPRESS state machines; use STANDARD", {
          stateMachineArn,
          type,
        });
      } else {
        this.logger.debug("state machine type checked", { stateMachineArn, type });
      }
    } catch (error) {
      this.logger.info("state machine type not checked (needs states:DescribeStateMachine)", {
        stateMachineArn,
        reason: describe(error),
      });
    }
  }

  /**
   * One SDK call with what is left of the budget (at most `capMs`). The abort signal stops the SDK's
   * attempts and back-off; the race makes sure the answer does not wait for them.
   */
  private async call<T>(
    operation: string,
    budgetEnd: number,
    capMs: number,
    send: (abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const ms = Math.min(capMs, budgetEnd - this.clock.now());
    if (ms <= 0) throw new DispatchTimeoutError(operation, 0);
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new DispatchTimeoutError(operation, ms));
      }, ms);
    });
    try {
      return await Promise.race([send(controller.signal), expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}
