import type { DispatchResult, ExecutionDispatcher, ExecutionRequest } from "@alma-webhooks/core";

/** One entry handed to the desk: which outbox, its id (the execution name) and the plugin's input. */
export interface OutboxEntry {
  readonly outbox: string;
  readonly id: string;
  readonly input: unknown;
}

/**
 * The service's own dispatcher, no AWS: entries kept in order, one per id. The execution name comes from
 * the webhook's id and time, so Alma's redelivery of an event it already sent is answered `duplicate` and
 * not added twice. A real service would write to its database in `start`, with the id as a unique key.
 */
export class OutboxDispatcher implements ExecutionDispatcher {
  readonly entries: OutboxEntry[] = [];
  readonly #ids = new Set<string>();

  async start({ target, name, input }: ExecutionRequest): Promise<DispatchResult> {
    const executionArn = `${target}#${name}`;
    if (this.#ids.has(name)) return { status: "duplicate", deliveredTo: executionArn };
    this.#ids.add(name);
    this.entries.push({ outbox: target, id: name, input: JSON.parse(input) });
    return { status: "started", deliveredTo: executionArn };
  }
}
