import type { DispatchResult, ExecutionDispatcher, ExecutionRequest, Logger } from "@alma-webhooks/core";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { Clock } from "./deadline.js";
import {
  BUDGETED_CLIENT,
  budgetEndOf,
  callWithin,
  DISPATCH_BUDGET,
  describe,
  isTransient,
} from "./deadline.js";

/** The `source` of every event put on a bus: what a rule matches on. */
export const EVENT_SOURCE = "alma-webhooks";

const regionOf = (busArn: string): string => busArn.split(":")[3] ?? "";

/**
 * Puts each request's input (the webhook payload, for a forward) on the EventBridge bus its target ARN
 * names, with `PutEvents` and one entry: `Source` {@link EVENT_SOURCE}, `DetailType` the webhook's action
 * (`BIB`, `LOAN`…), `Detail` the input. An entry EventBridge refuses (`FailedEntryCount` 1) is a failed
 * dispatch, classified by its `ErrorCode` as any failure is: throttling and internal failures transient
 * (503), the rest permanent (500 and Sentry). Within {@link DISPATCH_BUDGET}; one client per region of a
 * bus, built on first use; `AWS_ENDPOINT_URL_EVENTBRIDGE` points them elsewhere.
 *
 * @example
 * ```ts
 * const dispatcher = new EventBusDispatcher(logger, systemClock);
 * await dispatcher.start({ plugin: "BIBS", target: busArn, name: "bibs-…", input: body, action: "BIB" });
 * ```
 */
export class EventBusDispatcher implements ExecutionDispatcher {
  private readonly clients = new Map<string, EventBridgeClient>();

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  private clientFor(region: string): EventBridgeClient {
    let client = this.clients.get(region);
    if (client === undefined) {
      client = new EventBridgeClient({ ...BUDGETED_CLIENT, region });
      this.clients.set(region, client);
    }
    return client;
  }

  async start(request: ExecutionRequest): Promise<DispatchResult> {
    const started = this.clock.now();
    const fields = { plugin: request.plugin, eventBusArn: request.target, executionName: request.name };
    const command = new PutEventsCommand({
      Entries: [
        {
          EventBusName: request.target,
          Source: EVENT_SOURCE,
          DetailType: request.action || "webhook",
          Detail: request.input,
        },
      ],
    });
    const failed = (error: string, transient: boolean): DispatchResult => {
      this.logger.error("event not put", {
        ...fields,
        transient,
        error,
        durationMs: this.clock.now() - started,
      });
      return { status: "failed", transient, error };
    };
    try {
      const output = await callWithin(
        this.clock,
        "PutEvents",
        budgetEndOf(request, started),
        DISPATCH_BUDGET.totalMs,
        (abortSignal) => this.clientFor(regionOf(request.target)).send(command, { abortSignal }),
      );
      const [entry] = output.Entries ?? [];
      if ((output.FailedEntryCount ?? 0) > 0 || entry?.EventId === undefined) {
        const code = entry?.ErrorCode ?? "UnknownError";
        return failed(
          `${code}: ${entry?.ErrorMessage ?? "the entry was not put"}`,
          isTransient({ name: code }),
        );
      }
      this.logger.info("event put", {
        ...fields,
        eventId: entry.EventId,
        durationMs: this.clock.now() - started,
      });
      return { status: "started", executionArn: request.target, messageId: entry.EventId, forwarded: true };
    } catch (error) {
      return failed(describe(error), isTransient(error));
    }
  }
}
