import type { DispatchResult, ExecutionDispatcher, ExecutionRequest, Logger } from "@alma-webhooks/core";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { queueOf } from "./arn.js";
import { perKey } from "./clients.js";
import {
  BUDGETED_CLIENT,
  type Clock,
  callWithin,
  DISPATCH_BUDGET,
  retryRefused,
  SINGLE_ATTEMPT_CLIENT,
} from "./deadline.js";
import { DispatchAttempt } from "./dispatch-attempt.js";
import { IDENTITY_ATTRIBUTE } from "./identity.js";

export { IDENTITY_ATTRIBUTE };

/** The attributes of a message for a request: the delivery's name, as a String attribute. */
const identityAttributes = (name: string) => ({
  [IDENTITY_ATTRIBUTE]: { DataType: "String", StringValue: name },
});

/**
 * Sends each request's input (the webhook payload, for a forward) to the SQS queue its target ARN names,
 * with `SendMessage`, within {@link DISPATCH_BUDGET}. To a FIFO queue, the message group is the plugin (the
 * route) and the deduplication id the execution name, which a redelivery of the same webhook shares: SQS
 * keeps the second one out (for 5 minutes). Every message carries the name as its `alma-webhook-id`
 * attribute. The SDK retries a send to a FIFO queue (its deduplication id makes a repeat harmless); to a
 * standard queue it does not, since an attempt that timed out may have arrived: only a throttling refusal
 * is tried again ({@link retryRefused}). One client per region of a queue (the endpoint and the signature are
 * regional), built on first use; `AWS_ENDPOINT_URL_SQS` points them all elsewhere. The SDK checks the
 * body's MD5 in the answer. Failures are classified as Step Functions' are: transient (throttling, 5xx,
 * timeout, `KmsThrottled`) or permanent.
 *
 * @example
 * ```ts
 * const dispatcher = new SqsDispatcher(logger, systemClock);
 * await dispatcher.start({ plugin: "LOANS", target: queueArn, name: "loans-…", input: body, action: "LOAN" });
 * ```
 */
export class SqsDispatcher implements ExecutionDispatcher {
  // The URL is a parameter, not the endpoint: the endpoint comes from the region (or the override). FIFO
  // queues keep the SDK's retries (the deduplication id makes them harmless); standard ones try once.
  private readonly clients = perKey((key) => {
    const [region, kind] = key.split(" ");
    const settings = kind === "fifo" ? BUDGETED_CLIENT : SINGLE_ATTEMPT_CLIENT;
    return new SQSClient({ ...settings, region: region as string, useQueueUrlAsEndpoint: false });
  });

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  private clientFor(region: string, fifo: boolean): SQSClient {
    return this.clients(`${region} ${fifo ? "fifo" : "standard"}`);
  }

  /** Sends within the dispatch budget, or by the request's deadline when that comes first. */
  async start(request: ExecutionRequest): Promise<DispatchResult> {
    const fields = { plugin: request.plugin, queueArn: request.target, deduplicationId: request.name };
    const attempt = new DispatchAttempt(request, fields, this.logger, this.clock);
    const queue = queueOf(request.target);
    if (queue === undefined) {
      const error = `InvalidTarget: ${request.target} is not an SQS queue ARN`;
      this.logger.error("message not sent", { ...fields, transient: false, error });
      return { status: "failed", transient: false, error };
    }
    const command = new SendMessageCommand({
      QueueUrl: queue.url,
      MessageBody: request.input,
      MessageAttributes: identityAttributes(request.name),
      ...(queue.fifo ? { MessageGroupId: request.plugin, MessageDeduplicationId: request.name } : {}),
    });
    try {
      const client = this.clientFor(queue.region, queue.fifo);
      const send = (abortSignal: AbortSignal) => client.send(command, { abortSignal });
      const output = queue.fifo
        ? await callWithin(this.clock, "SendMessage", attempt.end, DISPATCH_BUDGET.totalMs, send)
        : await retryRefused(this.clock, "SendMessage", attempt.end, send);
      const messageId = output.MessageId ?? "";
      this.logger.info("message sent", { ...fields, messageId, durationMs: attempt.elapsed() });
      return { status: "started", deliveredTo: request.target, messageId, forwarded: true };
    } catch (error) {
      return attempt.failedWith("message not sent", error);
    }
  }
}
