import { type UndeliveredStore, undeliveredKey } from "@alma-webhooks/aws";
import { type Clock, type Decision, type Logger, messageOf } from "@alma-webhooks/core";
import { normaliseEvent } from "@alma-webhooks/core/lambda";
import type { InvocationBudget } from "./budget.js";

/**
 * Keeps the bytes of every verified webhook that was not delivered (`Decision.notDelivered`) in the bucket
 * `ALMA_UNDELIVERED_BUCKET`, keyed by its id (`undelivered/<id>.json`), with its headers, received time and
 * reason: what `alma-webhook redeliver` sends again. The write starts with the decision, beside the Sentry
 * report, and is awaited by the handler until the invocation's answer deadline. A write that fails is an
 * ERROR line naming the id (never the bytes). Without a bucket it does nothing and loads nothing.
 *
 * @example
 * ```ts
 * keeper.begin(event);
 * const keptAs = keeper.keep(decision); // "undelivered/<id>.json" or undefined
 * await keeper.settle();
 * ```
 */
export class WebhookKeeper {
  private event: unknown;
  private receivedAt: number | undefined;
  private pending: Promise<void>[] = [];
  /** The invocation's last decision (a redelivery reads its outcome here). */
  last: Decision | undefined;

  constructor(
    private readonly store: UndeliveredStore | null,
    private readonly budget: InvocationBudget,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The invocation's event: its body and headers are what a not-delivered decision keeps. */
  begin(event: unknown): void {
    this.event = event;
    this.last = undefined;
    this.receivedAt = this.clock.now();
  }

  /** Starts keeping the decision's webhook when it was verified and not delivered; its object key, or undefined. */
  keep(decision: Decision): string | undefined {
    this.last = decision;
    const { store } = this;
    const id = decision.identity;
    if (store === null || !decision.notDelivered || !decision.verified || id === undefined) return undefined;
    const normalised = normaliseEvent(this.event);
    if (!normalised.ok) return undefined;
    const { request } = normalised;
    const fields = { id, reason: decision.notDelivered, bucket: store.bucket };
    this.pending.push(
      store
        .keep(
          {
            id,
            reason: decision.notDelivered,
            ...(decision.reason || decision.error ? { detail: decision.reason ?? decision.error } : {}),
            receivedAt: this.receivedAt ?? this.clock.now(),
            ...(decision.requestId ? { requestId: decision.requestId } : {}),
            headers: request.headers,
            body: request.body,
          },
          this.budget.answerBy,
        )
        .then(
          (key) => this.logger.info("not delivered: its bytes are kept for a redelivery", { ...fields, key }),
          (error: unknown) =>
            this.logger.error("not delivered, and its bytes could not be kept", {
              ...fields,
              error: messageOf(error),
            }),
        ),
    );
    return undeliveredKey(id);
  }

  /** Whether a write was started and not yet waited for: what {@link settle} would wait for. */
  get busy(): boolean {
    return this.pending.length > 0;
  }

  /** Waits for the writes started so far (each bounded by the invocation's answer deadline). */
  async settle(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
  }
}
