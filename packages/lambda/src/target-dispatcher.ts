import {
  type DispatchResult,
  type ExecutionDispatcher,
  type ExecutionRequest,
  targetKindOf,
} from "@alma-webhooks/core";
import type { Clock, LambdaLogger } from "./services.js";

type Service = "step-functions" | "sqs" | "event-bus";

/**
 * Each service's dispatcher, imported on its first dispatch. The SDK clients are the largest part of the
 * bundle and a GET challenge, a rejected POST or an unclaimed job never needs one; a deployment without
 * forward routes never loads SQS or EventBridge at all. Each lands in a chunk of its own.
 */
const LOADERS: Record<Service, (logger: LambdaLogger, clock: Clock) => Promise<ExecutionDispatcher>> = {
  "step-functions": async (logger, clock) => {
    const { createStepFunctionsClient, StepFunctionsDispatcher } = await import(
      "./step-functions-dispatcher.js"
    );
    return new StepFunctionsDispatcher(createStepFunctionsClient(), logger, clock);
  },
  sqs: async (logger, clock) => new (await import("./sqs-dispatcher.js")).SqsDispatcher(logger, clock),
  "event-bus": async (logger, clock) =>
    new (await import("./event-bus-dispatcher.js")).EventBusDispatcher(logger, clock),
};

/** The service of a target ARN; anything that is no queue or bus goes to Step Functions, which judges it. */
function serviceOf(target: string): Service {
  const kind = targetKindOf(target);
  if (kind === "queue" || kind === "fifo-queue") return "sqs";
  return kind === "event-bus" ? "event-bus" : "step-functions";
}

/**
 * The shell's one dispatcher: it hands each request to the dispatcher of the service its target ARN names
 * (Step Functions, SQS or EventBridge), loading that one on first use. One dispatcher, and so one set of
 * clients, per service and container, so per cold start.
 */
export class TargetDispatcher implements ExecutionDispatcher {
  private readonly loading = new Map<Service, Promise<ExecutionDispatcher>>();

  constructor(
    private readonly logger: LambdaLogger,
    private readonly clock: Clock,
  ) {}

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
    return (await this.load(serviceOf(request.target))).start(request);
  }
}
