// The delivery ledger (ALMA_IDEMPOTENCY_TABLE): one record per delivery per target, so that a redelivered
// webhook goes only where it has not gone, and one record per verified webhook, the delivery history.
import { randomUUID } from "node:crypto";
import type {
  DecisionRecord,
  DispatchResult,
  ExecutionDispatcher,
  ExecutionRequest,
  Logger,
} from "@alma-webhooks/core";
import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BUDGETED_CLIENT,
  budgetEndOf,
  type Clock,
  callWithin,
  DISPATCH_BUDGET,
  describe,
  nameOf,
} from "./deadline.js";
import { UNVERIFIED_OUTCOMES } from "./delivery-ledger.js";

/** How long the ledger keeps things, in seconds. */
export const LEDGER_TTL = Object.freeze({
  /** An in-progress claim: a crashed or timed-out delivery is sent again by a retry after this. */
  inProgressS: 60,
  /** A completed delivery: beyond Alma's retries (after 1 h, 3 h and 6 h), with room. */
  completedS: 48 * 3600,
  /** A history record. */
  historyS: 14 * 24 * 3600,
});

/** Each ledger call's share of the dispatch budget, and what is kept back for the closing write. */
const LEDGER_CALL_MS = 500;
const CLOSING_RESERVE_MS = 300;

type Sdk = typeof import("./dynamodb-sdk.js");
type Item = Record<string, AttributeValue>;

/** The DynamoDB client, imported at first use: a deployment without a table never loads it. */
export class LedgerTable {
  private loaded?: Promise<{ client: DynamoDBClient; sdk: Sdk }>;

  constructor(
    readonly name: string,
    readonly clock: Clock,
  ) {}

  load(): Promise<{ client: DynamoDBClient; sdk: Sdk }> {
    this.loaded ??= import("./dynamodb-sdk.js").then((sdk) => ({
      sdk,
      client: new sdk.DynamoDBClient(BUDGETED_CLIENT),
    }));
    this.loaded.catch(() => {
      this.loaded = undefined;
    });
    return this.loaded;
  }

  /** One call within what is left of the budget (at most {@link LEDGER_CALL_MS}). */
  async call<T>(
    operation: string,
    budgetEnd: number,
    build: (sdk: Sdk) => { send: (client: DynamoDBClient, signal: AbortSignal) => Promise<T> },
  ): Promise<T> {
    const { client, sdk } = await this.load();
    const { send } = build(sdk);
    return callWithin(this.clock, operation, budgetEnd, LEDGER_CALL_MS, (signal) => send(client, signal));
  }
}

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });
const seconds = (ms: number): number => Math.floor(ms / 1000);

/** The ledger key of one delivery: its name (the execution name) and the plugin or route. */
export const deliveryKey = (request: ExecutionRequest): string => `${request.name}#${request.plugin}`;

/**
 * Wraps the shell's dispatcher with the ledger. Per delivery (`<execution name>#<plugin>`):
 * - a conditional `PutItem` claims it (state `in-progress`, expiring after 60 s) before sending;
 * - a `completed` record already there: answered `duplicate`, nothing sent;
 * - an unexpired `in-progress` record of another request: a concurrent duplicate is in flight, answered
 *   as a transient failure (503; Alma retries);
 * - sent: `UpdateItem` to `completed`, kept 48 hours; refused for good (nothing arrived): `DeleteItem`, so a
 *   retry sends; outcome unknown (timeout, 5xx): the claim is left to expire, and a retry sends again, with
 *   the same name (at least once, never lost).
 * The ledger unreachable before sending: 503, never a send that could duplicate. Every call is bounded by
 * the request's dispatch budget ({@link DISPATCH_BUDGET}).
 *
 * @example
 * ```ts
 * const dispatcher = new LedgerDispatcher(new TargetDispatcher(logger, clock), new LedgerTable(table, clock), logger);
 * ```
 */
export class LedgerDispatcher implements ExecutionDispatcher {
  constructor(
    private readonly inner: ExecutionDispatcher,
    private readonly table: LedgerTable,
    private readonly logger: Logger,
  ) {}

  async start(request: ExecutionRequest): Promise<DispatchResult> {
    const { clock } = this.table;
    const now = clock.now();
    const end = budgetEndOf(request, now);
    const id = deliveryKey(request);
    const owner = randomUUID();
    const fields = { plugin: request.plugin, ledgerId: id };
    try {
      await this.table.call("PutItem", end, (sdk) => ({
        send: (client, abortSignal) =>
          client.send(
            new sdk.PutItemCommand({
              TableName: this.table.name,
              Item: {
                id: s(id),
                kind: s("delivery"),
                state: s("in-progress"),
                plugin: s(request.plugin),
                target: s(request.target),
                name: s(request.name),
                owner: s(owner),
                claimedAt: s(new Date(now).toISOString()),
                expiration: n(seconds(now) + LEDGER_TTL.inProgressS),
              },
              // DynamoDB deletes expired items late: an expired claim counts as none.
              ConditionExpression: "attribute_not_exists(id) OR expiration < :now",
              ExpressionAttributeValues: { ":now": n(seconds(now)) },
            }),
            { abortSignal },
          ),
      }));
    } catch (error) {
      if (nameOf(error) !== "ConditionalCheckFailedException") {
        const message = `LedgerUnavailable: the delivery ledger could not be written (${describe(error)})`;
        this.logger.error("ledger not reached: not sent", { ...fields, error: message });
        return { status: "failed", transient: true, error: message };
      }
      const held = await this.existing(request, id, end, owner);
      if (held !== "ours") return held;
    }
    // The closing write has the last CLOSING_RESERVE_MS before the webhook's deadline, never time past it.
    const result = await this.inner.start({ ...request, deadline: end - CLOSING_RESERVE_MS });
    if (result.status === "started" || result.status === "duplicate") {
      await this.complete(request, id, result, end);
    } else if (result.status === "too-large" || !result.transient) {
      // Refused for good: nothing arrived, so the claim goes and a retry (after a fix) sends.
      await this.release(id, owner, end);
    }
    // A transient failure may have arrived (a timeout): the claim expires, a retry sends again.
    return result;
  }

  /** The claim failed: someone holds the record. Completed: a duplicate; in progress: 503. */
  private async existing(
    request: ExecutionRequest,
    id: string,
    end: number,
    owner: string,
  ): Promise<DispatchResult | "ours"> {
    let item: Item | undefined;
    try {
      const output = await this.table.call("GetItem", end, (sdk) => ({
        send: (client, abortSignal) =>
          client.send(
            new sdk.GetItemCommand({ TableName: this.table.name, Key: { id: s(id) }, ConsistentRead: true }),
            { abortSignal },
          ),
      }));
      item = output.Item;
    } catch (error) {
      const message = `LedgerUnavailable: the delivery ledger could not be read (${describe(error)})`;
      this.logger.error("ledger not read: not sent", {
        plugin: request.plugin,
        ledgerId: id,
        error: message,
      });
      return { status: "failed", transient: true, error: message };
    }
    if (item?.state?.S === "completed") {
      const forwarded = item.forwarded?.BOOL === true;
      const executionArn = item.executionArn?.S;
      this.logger.info("already delivered (ledger): not sent again", {
        plugin: request.plugin,
        ledgerId: id,
      });
      return {
        status: "duplicate",
        ...(executionArn ? { deliveredTo: executionArn } : {}),
        ...(forwarded ? { forwarded } : {}),
      };
    }
    // Our own claim, seen because the SDK retried a PutItem that had arrived: ours to send.
    if (item?.owner?.S === owner) return "ours";
    const message = `DeliveryInProgress: a delivery of ${request.name} to ${request.plugin} is in flight; retry later`;
    this.logger.warn("concurrent delivery in flight: not sent", { plugin: request.plugin, ledgerId: id });
    return { status: "failed", transient: true, error: message };
  }

  private async complete(
    request: ExecutionRequest,
    id: string,
    result: Extract<DispatchResult, { status: "started" | "duplicate" }>,
    end: number,
  ): Promise<void> {
    const now = this.table.clock.now();
    const values: Item = {
      ":state": s("completed"),
      ":outcome": s(result.status),
      ":at": s(new Date(now).toISOString()),
      ":exp": n(seconds(now) + LEDGER_TTL.completedS),
      ":forwarded": { BOOL: result.forwarded === true },
      ":arn": s(result.deliveredTo ?? result.executionArn ?? request.target),
      ":message": s("messageId" in result && result.messageId ? result.messageId : ""),
    };
    try {
      await this.table.call("UpdateItem", end, (sdk) => ({
        send: (client, abortSignal) =>
          client.send(
            new sdk.UpdateItemCommand({
              TableName: this.table.name,
              Key: { id: s(id) },
              UpdateExpression:
                "SET #state = :state, outcome = :outcome, completedAt = :at, expiration = :exp, " +
                "forwarded = :forwarded, executionArn = :arn, messageId = :message",
              ExpressionAttributeNames: { "#state": "state" },
              ExpressionAttributeValues: values,
            }),
            { abortSignal },
          ),
      }));
    } catch (error) {
      // Delivered; only the record is missing. Its claim expires and a retry would send again: at least once.
      this.logger.warn("delivered, but the ledger was not updated", {
        plugin: request.plugin,
        ledgerId: id,
        error: describe(error),
      });
    }
  }

  private async release(id: string, owner: string, end: number): Promise<void> {
    try {
      await this.table.call("DeleteItem", end, (sdk) => ({
        send: (client, abortSignal) =>
          client.send(
            new sdk.DeleteItemCommand({
              TableName: this.table.name,
              Key: { id: s(id) },
              ConditionExpression: "#owner = :owner",
              ExpressionAttributeNames: { "#owner": "owner" },
              ExpressionAttributeValues: { ":owner": s(owner) },
            }),
            { abortSignal },
          ),
      }));
    } catch (error) {
      this.logger.info("ledger claim not released; it expires", { ledgerId: id, error: describe(error) });
    }
  }
}

/** Outcomes of requests that were never verified as Alma's: no history record. */

/**
 * The delivery history: one record per verified webhook (`kind` `webhook`), written from the router's
 * decision: received at, action, event or job, identity, each plugin's decision and outcome, the answer.
 * `record` starts the write; `settle` waits for it, at most `HISTORY_WAIT_MS` (the handler awaits it
 * before answering, so Lambda does not freeze it half-way). A failed write is logged and changes nothing.
 *
 * @example
 * ```ts
 * onDecision: (decision) => history.record(decision);
 * const response = await handleLambdaEvent(router, event); await history.settle(); return response;
 * ```
 */
export class DeliveryHistory {
  private pending: Promise<void>[] = [];
  /** When the request being decided arrived (set by {@link begin}); the decision's time otherwise. */
  private receivedAt: number | undefined;

  constructor(
    private readonly table: LedgerTable,
    private readonly logger: Logger,
  ) {}

  /** Marks a request's arrival: its record's `receivedAt` (Lambda runs one request at a time per process). */
  begin(at = this.table.clock.now()): void {
    this.receivedAt = at;
  }

  /**
   * Starts the write of a decision's record. A not-delivered webhook's record holds its reason
   * (`notDelivered`) and, when its bytes are kept, their object key (`keptAs`).
   */
  record(
    decision: DecisionRecord & { readonly keptAs?: string },
    receivedAt = this.receivedAt ?? this.table.clock.now(),
  ): void {
    this.receivedAt = undefined;
    if (UNVERIFIED_OUTCOMES.has(decision.outcome)) return;
    const now = this.table.clock.now();
    const at = new Date(receivedAt).toISOString();
    const item: Item = {
      id: s(`webhook#${at}#${decision.requestId ?? randomUUID()}`),
      kind: s("webhook"),
      receivedAt: s(at),
      outcome: s(decision.outcome),
      status: n(decision.statusCode),
      plugins: s(JSON.stringify(decision.plugins ?? [])),
      expiration: n(seconds(now) + LEDGER_TTL.historyS),
    };
    for (const key of [
      "requestId",
      "action",
      "event",
      "jobId",
      "jobName",
      "identity",
      "reason",
      "error",
      "notDelivered",
      "keptAs",
    ] as const) {
      const value = decision[key];
      if (typeof value === "string" && value !== "") item[key] = s(value);
    }
    const failed = (decision.plugins ?? []).some(
      (p) => p.decision === "failed" || p.decision === "too-large",
    );
    item.failed = { BOOL: failed || decision.statusCode >= 400 };
    const write = this.table
      .call("PutItem", now + HISTORY_WAIT_MS, (sdk) => ({
        send: (client, abortSignal) =>
          client.send(new sdk.PutItemCommand({ TableName: this.table.name, Item: item }), { abortSignal }),
      }))
      .then(
        () => undefined,
        (error: unknown) => {
          this.logger.warn("delivery history not written", { error: describe(error) });
        },
      );
    this.pending.push(write);
  }

  /** Waits for the writes started so far (each already bounded). */
  async settle(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
  }
}

/** The longest a history write may take: it is awaited before the answer leaves. */
export const HISTORY_WAIT_MS = 400;
