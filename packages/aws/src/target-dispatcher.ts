import type { DispatchResult, ExecutionDispatcher, ExecutionRequest, Logger } from "@alma-webhooks/core";
import { serviceOf } from "./arn.js";
import { budgetEndOf, type Clock, describe, isTransient } from "./deadline.js";
import { LARGE_PAYLOAD_KEY, LargePayloadStore } from "./large-payloads.js";
import { deliverySize, TARGET_LIMITS } from "./limits.js";

type Service = ReturnType<typeof serviceOf>;

/**
 * Each service's dispatcher, imported on its first dispatch. The SDK clients are the largest part of the
 * bundle and a GET challenge, a rejected POST or an unclaimed job never needs one; a deployment without
 * forward routes never loads SQS or EventBridge at all. Each lands in a chunk of its own.
 */
const LOADERS: Record<Service, (logger: Logger, clock: Clock) => Promise<ExecutionDispatcher>> = {
  // The small JSON client when the environment holds its settings (Lambda's does); the SDK otherwise.
  "step-functions": async (logger, clock) => {
    const [{ StepFunctionsDispatcher }, { stepFunctionsCalls }] = await Promise.all([
      import("./step-functions-executions.js"),
      import("./step-functions-calls.js"),
    ]);
    return new StepFunctionsDispatcher(
      stepFunctionsCalls(process.env, () => clock.now()),
      logger,
      clock,
    );
  },
  sqs: async (logger, clock) => new (await import("./sqs-dispatcher.js")).SqsDispatcher(logger, clock),
  "event-bus": async (logger, clock) =>
    new (await import("./event-bus-dispatcher.js")).EventBusDispatcher(logger, clock),
};

/** What the shell's dispatcher may be given besides its logger and clock. */
export interface TargetDispatcherOptions {
  /** `ALMA_LARGE_PAYLOAD_BUCKET`: where a body too large for its target goes, sent by reference. */
  readonly largePayloadBucket?: string;
}

/**
 * The shell's one dispatcher: it hands each request to the dispatcher of the service its target ARN names
 * (Step Functions, SQS or EventBridge), loading that one on first use. One dispatcher, and so one set of
 * clients, per service and container, so per cold start.
 *
 * Before sending, it measures the delivery against the service's limit ({@link TARGET_LIMITS}). Over it,
 * with a large-payload bucket, the body goes to S3 and the target gets `{"alma-webhooks-large-payload":
 * {bucket, key, size, sha256}}` instead (the claim check); without one, nothing is sent and the result is
 * `too-large` (answered 413: a retry would be refused again).
 */
export class TargetDispatcher implements ExecutionDispatcher {
  private readonly loading = new Map<Service, Promise<ExecutionDispatcher>>();
  private readonly largePayloads?: LargePayloadStore;

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    options: TargetDispatcherOptions = {},
  ) {
    if (options.largePayloadBucket)
      this.largePayloads = new LargePayloadStore(options.largePayloadBucket, clock);
  }

  private load(service: Service): Promise<ExecutionDispatcher> {
    let loading = this.loading.get(service);
    if (loading === undefined) {
      loading = LOADERS[service](this.logger, this.clock).catch((error: unknown) => {
        // Not cached: the next dispatch tries again.
        this.loading.delete(service);
        throw error;
      });
      this.loading.set(service, loading);
    }
    return loading;
  }

  async start(request: ExecutionRequest): Promise<DispatchResult> {
    const end = budgetEndOf(request, this.clock.now());
    const service = serviceOf(request.target);
    const size = deliverySize(service, request);
    const limit = TARGET_LIMITS[service];
    if (size <= limit) return (await this.load(service)).start({ ...request, deadline: end });
    const fields = {
      plugin: request.plugin,
      target: request.target,
      executionName: request.name,
      size,
      limit,
    };
    if (this.largePayloads === undefined) {
      const error =
        `PayloadTooLarge: the ${request.plugin} delivery is ${size} bytes, over the ${limit} bytes its target ` +
        "takes; set ALMA_LARGE_PAYLOAD_BUCKET to send such bodies by reference through S3";
      this.logger.error("too large for its target: not sent", { ...fields, error });
      return { status: "too-large", size, limit, error };
    }
    let pointer: Awaited<ReturnType<LargePayloadStore["put"]>>;
    try {
      pointer = await this.largePayloads.put(request.name, request.input, end);
    } catch (error) {
      const transient = isTransient(error);
      this.logger.error("large payload not stored: not sent", {
        ...fields,
        transient,
        error: describe(error),
      });
      return { status: "failed", transient, error: `PutObject failed: ${describe(error)}` };
    }
    this.logger.info("large payload stored: sent by reference", { ...fields, ...pointer });
    const input = JSON.stringify({ [LARGE_PAYLOAD_KEY]: pointer });
    return (await this.load(service)).start({ ...request, input, deadline: end });
  }
}
