import type { MessageQueue } from "./queue-dispatcher.js";

/** A queue in memory, for tests and the local demo. Drops a message whose id it has seen, as SQS FIFO does. */
export class InMemoryQueue implements MessageQueue {
  /** Every send, duplicates included, in order. */
  readonly sent: { id: string; body: string }[] = [];
  /** The messages kept: one per id. */
  readonly messages: { id: string; body: string }[] = [];

  async send(message: { id: string; body: string }): Promise<void> {
    this.sent.push(message);
    if (!this.messages.some(({ id }) => id === message.id)) this.messages.push(message);
  }
}
