import "reflect-metadata";
import type { DispatchResult, ExecutionDispatcher, ExecutionRequest } from "@alma-webhooks/core";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { inject, injectable } from "tsyringe";
import type { Clock, LambdaLogger } from "./services.js";
import { TOKENS } from "./tokens.js";

/**
 * The time budget of one StartExecution, so that the whole request ends well inside Alma's 5 seconds
 * (Alma treats a slower answer as a failure). Each attempt may take up to 0.5 s to connect and 1 s to be
 * answered; with the SDK's back-off, 3 attempts could add up to more than 4.5 s, so the dispatch is cut
 * off, as a transient failure, at 3 s. Before it, a cold start spends about 0.16 s (the POD cold-start
 * benchmark, SDK import included); after it, a permanent failure waits at most 1 s for the Sentry flush.
 * The answer leaves before 4.2 s in the worst case, and in about 3.1 s when Step Functions never answers.
 */
export const DISPATCH_BUDGET = Object.freeze({
  /** TCP/TLS connect, per attempt. */
  connectionTimeoutMs: 500,
  /** Waiting for the response, per attempt. */
  requestTimeoutMs: 1000,
  /** The SDK's standard retry strategy: the first try and two retries. */
  maxAttempts: 3,
  /** Whatever the attempts and back-off add up to, the dispatch gives up (as transient) after this. */
  totalMs: 3000,
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

const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
]);
const NETWORK = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
]);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Whether a failed StartExecution may succeed if tried later: throttling, AWS 5xx, network faults and
 * timeouts are; a bad ARN, missing permissions or invalid input are not.
 *
 * @example
 * ```ts
 * isTransient({ name: "ThrottlingException" }); // true
 * ```
 */
export function isTransient(error: unknown): boolean {
  const { name = "", code = "", $fault, $metadata } = (error ?? {}) as SdkError;
  return (
    THROTTLING.has(name) ||
    $fault === "server" ||
    ($metadata?.httpStatusCode ?? 0) >= 500 ||
    NETWORK.has(code) ||
    name === "TimeoutError" ||
    name === "AbortError" ||
    name === "RequestTimeout"
  );
}

const describe = (error: unknown): string => {
  const { name = "Error", message = String(error) } = (error ?? {}) as SdkError;
  return `${name}: ${message}`;
};

const executionArnOf = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;

/**
 * Starts executions with Step Functions' StartExecution. `ExecutionAlreadyExists` is a duplicate (the job
 * was handled already); transient faults are retried by the SDK within {@link DISPATCH_BUDGET}, then
 * reported as transient so the webhook answers 503 and Alma retries.
 *
 * @example
 * ```ts
 * const dispatcher = new StepFunctionsDispatcher(createStepFunctionsClient(), logger, systemClock);
 * await dispatcher.start({ plugin: "PPOD", target: arn, name: "ppod-upload-…", input: "{}" });
 * ```
 */
@injectable()
export class StepFunctionsDispatcher implements ExecutionDispatcher {
  constructor(
    @inject(TOKENS.StepFunctionsClient) private readonly client: SFNClient,
    @inject(TOKENS.Logger) private readonly logger: LambdaLogger,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  async start(request: ExecutionRequest): Promise<DispatchResult> {
    const started = this.clock.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(
          Object.assign(new Error(`no answer within ${DISPATCH_BUDGET.totalMs} ms`), {
            name: "TimeoutError",
          }),
        );
      }, DISPATCH_BUDGET.totalMs);
    });
    const fields = { plugin: request.plugin, stateMachineArn: request.target, executionName: request.name };
    try {
      const command = new StartExecutionCommand({
        stateMachineArn: request.target,
        name: request.name,
        input: request.input,
      });
      const output = await Promise.race([
        this.client.send(command, { abortSignal: controller.signal }),
        deadline,
      ]);
      const executionArn = output.executionArn ?? executionArnOf(request.target, request.name);
      this.logger.info("execution started", {
        ...fields,
        executionArn,
        durationMs: this.clock.now() - started,
      });
      return { status: "started", executionArn };
    } catch (error) {
      const durationMs = this.clock.now() - started;
      if ((error as SdkError).name === "ExecutionAlreadyExists") {
        const executionArn = executionArnOf(request.target, request.name);
        this.logger.info("execution already exists: duplicate delivery", {
          ...fields,
          executionArn,
          durationMs,
        });
        return { status: "duplicate", executionArn };
      }
      const transient = isTransient(error);
      this.logger.error("execution not started", {
        ...fields,
        transient,
        error: describe(error),
        durationMs,
      });
      return { status: "failed", transient, error: describe(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}
