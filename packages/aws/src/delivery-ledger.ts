// The delivery ledger as the Lambda shell wires it: its code (ledger.ts) and the DynamoDB client are loaded
// on the first webhook that needs them, so a function without ALMA_IDEMPOTENCY_TABLE never loads either,
// and one with it pays for them only once a webhook is verified.
import type { DecisionRecord, ExecutionDispatcher, Logger } from "@alma-webhooks/core";
import { type Clock, describe } from "./deadline.js";

type LedgerModule = typeof import("./ledger.js");

/** Outcomes of requests that were never verified webhooks: no history record, and nothing loaded for them. */
export const UNVERIFIED_OUTCOMES: ReadonlySet<string> = new Set([
  "not-http",
  "method-not-allowed",
  "challenge",
  "challenge-missing",
  "challenge-too-long",
  "too-large",
  "unauthorized",
  "secret-unavailable",
]);
type Loaded = {
  readonly ledger: LedgerModule;
  readonly table: InstanceType<LedgerModule["LedgerTable"]>;
  readonly history: InstanceType<LedgerModule["DeliveryHistory"]>;
};

/**
 * The ledger of one DynamoDB table (`ALMA_IDEMPOTENCY_TABLE`): {@link DeliveryLedger.around} records each
 * delivery of a dispatcher (`LedgerDispatcher`), and `begin`/`record`/`settle` keep the delivery history of
 * every verified webhook (`DeliveryHistory`). Nothing is loaded until a webhook needs it.
 *
 * @example
 * ```ts
 * const ledger = new DeliveryLedger("alma-webhooks-ledger", systemClock, logger);
 * const dispatcher = ledger.around(new TargetDispatcher(logger, systemClock));
 * ```
 */
export class DeliveryLedger {
  private loading: Promise<Loaded> | undefined;
  private receivedAt: number | undefined;
  private pending: Promise<void>[] = [];

  constructor(
    readonly tableName: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  private load(): Promise<Loaded> {
    this.loading ??= import("./ledger.js").then(
      async (ledger) => {
        const table = new ledger.LedgerTable(this.tableName, this.clock);
        // The DynamoDB client too, before any call's time starts: a cold history write (a webhook refused
        // before any claim) would otherwise spend its HISTORY_WAIT_MS importing the SDK. The handler's
        // answer deadline bounds the whole.
        await table.load();
        return { ledger, table, history: new ledger.DeliveryHistory(table, this.logger) };
      },
      (error: unknown) => {
        this.loading = undefined; // the next webhook tries again
        throw error;
      },
    );
    return this.loading;
  }

  /** `inner` with each delivery recorded in the ledger: a redelivery goes only where it has not arrived. */
  around(inner: ExecutionDispatcher): ExecutionDispatcher {
    let dispatcher: ExecutionDispatcher | undefined;
    return {
      start: async (request) => {
        try {
          dispatcher ??= await this.load().then(
            ({ ledger, table }) => new ledger.LedgerDispatcher(inner, table, this.logger),
          );
        } catch (error) {
          return { status: "failed", transient: true, error: `LedgerUnavailable: ${describe(error)}` };
        }
        return (dispatcher as ExecutionDispatcher).start(request);
      },
    };
  }

  /** Marks a request's arrival: its history record's `receivedAt`. */
  begin(): void {
    this.receivedAt = this.clock.now();
  }

  /** Writes the decision's history record (verified webhooks only; `keptAs`: where its bytes are kept); never throws. */
  record(decision: DecisionRecord & { readonly keptAs?: string }): void {
    const receivedAt = this.receivedAt ?? this.clock.now();
    this.receivedAt = undefined;
    // A GET challenge or a refused request loads neither the ledger's code nor the DynamoDB client.
    if (UNVERIFIED_OUTCOMES.has(decision.outcome)) return;
    this.pending.push(
      this.load().then(
        ({ history }) => {
          history.record(decision, receivedAt);
          return history.settle();
        },
        (error: unknown) => {
          this.logger.warn("delivery history not written", { error: describe(error) });
        },
      ),
    );
  }

  /** Waits for the history writes started so far (each bounded by `HISTORY_WAIT_MS`). */
  async settle(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
  }
}
