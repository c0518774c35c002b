import type { DispatchResult, ExecutionDispatcher, ExecutionRequest } from "@alma-webhooks/core";

/** The one thing the dispatcher needs from a queue: an SQS FIFO queue, or the in-memory one in tests. */
export interface MessageQueue {
  /** Sends one message. `id` is the deduplication id: the queue drops a second message with the same id. */
  send(message: { id: string; body: string }): Promise<void>;
}

/** Alma gives up on a request after 5 seconds: the send must end well before. */
const DEFAULT_TIMEOUT_MS = 3000;

/**
 * Hands each execution to a queue instead of starting a state machine. The execution name, derived from the
 * webhook's id and time, is the message id: a redelivery gets the same id, and the queue drops it (SQS FIFO
 * only within its 5-minute deduplication window, so the consumer should still tolerate a repeat).
 */
export class QueueDispatcher implements ExecutionDispatcher {
  constructor(
    private readonly queue: MessageQueue,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {}

  async start({ target, name, input }: ExecutionRequest): Promise<DispatchResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`queue did not answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      await Promise.race([this.queue.send({ id: name, body: input }), timeout]);
      return { status: "started", deliveredTo: `${target}#${name}` };
    } catch (error) {
      // Throttling, a network error or a timeout: answered 503, so Alma sends the webhook again later.
      return { status: "failed", transient: true, error: String(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}
