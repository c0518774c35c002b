import type { DispatchResult, ExecutionDispatcher, ExecutionRequest, Logger } from "@alma-webhooks/core";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { arnParts } from "./arn.js";
import { perKey } from "./clients.js";
import { type Clock, isTransient, retryRefused, SINGLE_ATTEMPT_CLIENT } from "./deadline.js";
import { DispatchAttempt } from "./dispatch-attempt.js";

import { EVENT_SOURCE, identityResource } from "./identity.js";

export { EVENT_SOURCE, identityResource };

const regionOf = (busArn: string): string => arnParts(busArn)?.region ?? "";

/**
 * Puts each request's input (the webhook payload, for a forward) on the EventBridge bus its target ARN
 * names, with `PutEvents` and one entry: `Source` {@link EVENT_SOURCE}, `DetailType` the webhook's action
 * (`BIB`, `LOAN`…), `Detail` the input. An entry EventBridge refuses (`FailedEntryCount` 1) is a failed
 * dispatch, classified by its `ErrorCode` as any failure is: throttling and internal failures transient
 * (503), the rest permanent (500 and Sentry). Within {@link DISPATCH_BUDGET}; one client per region of a
 * bus, built on first use; `AWS_ENDPOINT_URL_EVENTBRIDGE` points them elsewhere. `Resources` holds the
 * delivery's name ({@link identityResource}). A bus keeps every copy it is given, so a put is never
 * repeated by the SDK (an attempt that timed out may have arrived); only a throttling refusal is tried again.
 *
 * @example
 * ```ts
 * const dispatcher = new EventBusDispatcher(logger, systemClock);
 * await dispatcher.start({ plugin: "BIBS", target: busArn, name: "bibs-…", input: body, action: "BIB" });
 * ```
 */
export class EventBusDispatcher implements ExecutionDispatcher {
  private readonly clientFor = perKey(
    (region) => new EventBridgeClient({ ...SINGLE_ATTEMPT_CLIENT, region }),
  );

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  /** Puts within the dispatch budget, or by the request's deadline when that comes first. */
  async start(request: ExecutionRequest): Promise<DispatchResult> {
    const fields = { plugin: request.plugin, eventBusArn: request.target, executionName: request.name };
    const attempt = new DispatchAttempt(request, fields, this.logger, this.clock);
    const command = new PutEventsCommand({
      Entries: [
        {
          EventBusName: request.target,
          Source: EVENT_SOURCE,
          DetailType: request.action || "webhook",
          Detail: request.input,
          Resources: [identityResource(request.name)],
        },
      ],
    });
    try {
      const client = this.clientFor(regionOf(request.target));
      const output = await retryRefused(this.clock, "PutEvents", attempt.end, (abortSignal) =>
        client.send(command, { abortSignal }),
      );
      const [entry] = output.Entries ?? [];
      if ((output.FailedEntryCount ?? 0) > 0 || entry?.EventId === undefined) {
        const code = entry?.ErrorCode ?? "UnknownError";
        return attempt.failed(
          "event not put",
          `${code}: ${entry?.ErrorMessage ?? "the entry was not put"}`,
          isTransient({ name: code }),
        );
      }
      this.logger.info("event put", {
        ...fields,
        eventId: entry.EventId,
        durationMs: attempt.elapsed(),
      });
      return { status: "started", deliveredTo: request.target, messageId: entry.EventId, forwarded: true };
    } catch (error) {
      return attempt.failedWith("event not put", error);
    }
  }
}
