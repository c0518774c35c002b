import type { DispatchResult, ExecutionDispatcher, ExecutionRequest, Logger } from "@alma-webhooks/core";
import { serviceOf } from "./arn.js";
import type { Clock } from "./deadline.js";

type Service = ReturnType<typeof serviceOf>;

/**
 * Each service's dispatcher, imported on its first dispatch. The SDK clients are the largest part of the
 * bundle and a GET challenge, a rejected POST or an unclaimed job never needs one; a deployment without
 * forward routes never loads SQS or EventBridge at all. Each lands in a chunk of its own.
 */
const LOADERS: Record<Service, (logger: Logger, clock: Clock) => Promise<ExecutionDispatcher>> = {
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

/**
 * The shell's one dispatcher: it hands each request to the dispatcher of the service its target ARN names
 * (Step Functions, SQS or EventBridge), loading that one on first use. One dispatcher, and so one set of
 * clients, per service and container, so per cold start.
 */
export class TargetDispatcher implements ExecutionDispatcher {
  private readonly loading = new Map<Service, Promise<ExecutionDispatcher>>();

  constructor(
    private readonly logger: Logger,
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
