import type { DispatchResult, ExecutionDispatcher, ExecutionRequest, Logger } from "@alma-webhooks/core";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Clock } from "./deadline.js";
import {
  BUDGETED_CLIENT,
  budgetEndOf,
  callWithin,
  DISPATCH_BUDGET,
  describe,
  isTransient,
} from "./deadline.js";

const QUEUE_ARN = /^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,80})$/;

/** The queue of an ARN: its region and URL (SendMessage takes the URL), and whether it is FIFO. */
export function queueOf(arn: string): { region: string; url: string; fifo: boolean } | undefined {
  const match = QUEUE_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition, region = "", account, name = ""] = match;
  const domain = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  return { region, url: `https://sqs.${region}.${domain}/${account}/${name}`, fifo: name.endsWith(".fifo") };
}

/**
 * Sends each request's input (the webhook payload, for a forward) to the SQS queue its target ARN names,
 * with `SendMessage`, within {@link DISPATCH_BUDGET}. To a FIFO queue, the message group is the plugin (the
 * route) and the deduplication id the execution name, which a redelivery of the same webhook shares: SQS
 * keeps the second one out. One client per region of a queue (the endpoint and the signature are
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
  private readonly clients = new Map<string, SQSClient>();

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  private clientFor(region: string): SQSClient {
    let client = this.clients.get(region);
    if (client === undefined) {
      // The URL is a parameter, not the endpoint: the endpoint comes from the region (or the override).
      client = new SQSClient({ ...BUDGETED_CLIENT, region, useQueueUrlAsEndpoint: false });
      this.clients.set(region, client);
    }
    return client;
  }

  async start(request: ExecutionRequest): Promise<DispatchResult> {
    const started = this.clock.now();
    const fields = { plugin: request.plugin, queueArn: request.target, deduplicationId: request.name };
    const queue = queueOf(request.target);
    if (queue === undefined) {
      const error = `InvalidTarget: ${request.target} is not an SQS queue ARN`;
      this.logger.error("message not sent", { ...fields, transient: false, error });
      return { status: "failed", transient: false, error };
    }
    const command = new SendMessageCommand({
      QueueUrl: queue.url,
      MessageBody: request.input,
      ...(queue.fifo ? { MessageGroupId: request.plugin, MessageDeduplicationId: request.name } : {}),
    });
    try {
      const output = await callWithin(
        this.clock,
        "SendMessage",
        budgetEndOf(request, started),
        DISPATCH_BUDGET.totalMs,
        (abortSignal) => this.clientFor(queue.region).send(command, { abortSignal }),
      );
      const messageId = output.MessageId ?? "";
      this.logger.info("message sent", { ...fields, messageId, durationMs: this.clock.now() - started });
      return { status: "started", executionArn: request.target, messageId, forwarded: true };
    } catch (error) {
      const transient = isTransient(error);
      this.logger.error("message not sent", {
        ...fields,
        transient,
        error: describe(error),
        durationMs: this.clock.now() - started,
      });
      return { status: "failed", transient, error: describe(error) };
    }
  }
}
