import type { KeptWebhook } from "@alma-webhooks/aws";
import type { PluginResult } from "@alma-webhooks/core";
import { type DeliveryRecord, type DeliverySource, sinceOf, tableSource } from "../cli/deliveries.js";
import { CliError } from "../cli/io.js";
import { keptIdOf } from "../cli/redeliver.js";
import { executionArnOf, fateOf, journalDecisionOf } from "../local/webhook-line.js";
import { invokeRedeliver } from "./invoke-redeliver.js";
import {
  type DeliveriesSource,
  type DeliveryStory,
  type DeliveryView,
  filterDeliveries,
  LIST_LIMIT,
  presentBody,
  type RedeliveryResult,
} from "./model.js";

/**
 * The id a history record is redelivered by: the id its bytes are kept under (`keptAs`, the one the
 * function's redelivery event takes), else its request id, else its identity. The one place that says so.
 *
 * @example
 * ```ts
 * historyIdOf({ requestId: "r-1", receivedAt: "…", outcome: "handled", status: 200, failed: false, plugins: [] }); // "r-1"
 * ```
 */
export const historyIdOf = (record: DeliveryRecord): string =>
  keptIdOf(record) ?? record.requestId ?? record.identity ?? record.receivedAt;

/** Reads a kept webhook's object (`ALMA_UNDELIVERED_BUCKET`) by its id, or undefined when there is none. */
export type KeptReader = (id: string) => Promise<KeptWebhook | undefined>;

/**
 * The kept webhooks of a stage's bucket, read with the operator's own credentials (S3 GetObject).
 *
 * @example
 * ```ts
 * const kept = keptReader("alma-webhooks-prod-undelivered");
 * ```
 */
export function keptReader(bucket: string): KeptReader {
  let store:
    | Promise<{ read: (id: string, budgetEnd: number) => Promise<KeptWebhook | undefined> }>
    | undefined;
  return async (id) => {
    store ??= import("@alma-webhooks/aws").then(
      ({ UndeliveredStore, systemClock }) => new UndeliveredStore(bucket, systemClock),
    );
    // An operator's read, not a webhook's: ten seconds is time enough for S3 and short enough to say so.
    return (await store).read(id, Date.now() + 10_000);
  };
}

/** Options of {@link historyDeliveriesSource}. */
export interface HistorySourceOptions {
  /** The ledger table that keeps the delivery history (`ALMA_IDEMPOTENCY_TABLE`). */
  readonly table: string;
  /** The function to invoke for a redelivery, `NAME[:QUALIFIER]`; without it the page cannot redeliver. */
  readonly functionName?: string;
  /** How far back the list goes when the page's filter names no `since`. Default 24h. */
  readonly defaultSince?: string;
  /** The history reader; default the DynamoDB table's ({@link tableSource}). */
  readonly history?: DeliverySource;
  /** The redelivery; default a Lambda Invoke of the function's redelivery event ({@link invokeRedeliver}). */
  readonly invoke?: typeof invokeRedeliver;
  /** The stage's bucket of kept webhooks (`ALMA_UNDELIVERED_BUCKET`): the page shows their bytes. */
  readonly bucket?: string;
  /** The kept-bytes reader; default S3's ({@link keptReader}) when `bucket` is given. */
  readonly kept?: KeptReader;
  readonly now?: () => number;
}

function viewOf(record: DeliveryRecord, redeliverable: boolean): DeliveryView {
  const decisions = record.plugins.map((result) => {
    const decision = journalDecisionOf(result as unknown as PluginResult);
    const arn = executionArnOf(result);
    return arn ? { ...decision, execution: arn } : decision;
  });
  const kind =
    record.jobName ?? ([record.action, record.event].filter(Boolean).join(".") || record.outcome || "?");
  const fate = fateOf({ status: record.status, decisions, outcome: record.outcome });
  return {
    id: historyIdOf(record),
    time: record.receivedAt,
    kind,
    status: record.status,
    fate,
    outcome: record.outcome,
    reason: record.outcome === "handled" ? "" : record.outcome,
    decisions,
    ...(record.identity ? { identity: record.identity } : {}),
    redeliverable,
  };
}

/**
 * A deployed stage's webhooks for the deliveries page (`alma-webhook deliveries --table NAME --serve`): its
 * delivery history, read with the operator's own credentials, and its redelivery, a Lambda Invoke of the
 * function's redelivery event (`--function NAME`). Nothing is added to the deployed function.
 *
 * @example
 * ```ts
 * const source = historyDeliveriesSource({ table: "alma-ledger", functionName: "alma-webhook-prod:live" });
 * ```
 */
export function historyDeliveriesSource(options: HistorySourceOptions): DeliveriesSource {
  const { table, functionName, defaultSince = "24h", now = Date.now } = options;
  const history = options.history ?? tableSource(table);
  const invoke = options.invoke ?? invokeRedeliver;
  const kept = options.kept ?? (options.bucket ? keptReader(options.bucket) : undefined);
  /** The kept bytes of a listed webhook, when it has some and the page knows the bucket. */
  async function keptOf(record: DeliveryRecord): Promise<KeptWebhook | undefined> {
    const id = keptIdOf(record);
    return id === undefined || kept === undefined ? undefined : kept(id);
  }
  // The story of a webhook the list showed: the history has no read by id, and a scan per click is wasteful.
  let shown = new Map<string, DeliveryRecord>();

  async function read(since: string, failedOnly: boolean): Promise<DeliveryRecord[]> {
    const records = await history.read({ since, failedOnly });
    records.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
    shown = new Map(records.map((record) => [historyIdOf(record), record]));
    return records;
  }

  return {
    mode: "deployed",
    describe: `table ${table}${functionName ? `, redelivery through ${functionName}` : ""}`,
    async list(filter) {
      const since = filter.since ?? sinceOf(defaultSince, now());
      const records = await read(since, filter.failedOnly === true);
      const views = records.map((record) => viewOf(record, functionName !== undefined));
      const requestIds = new Map(records.map((record) => [historyIdOf(record), record.requestId]));
      // The scan kept the failed ones already (the history's own flag): the other filters remain.
      return filterDeliveries(views, { ...filter, failedOnly: false }, (view) =>
        requestIds.get(view.id),
      ).slice(0, LIST_LIMIT);
    },
    async story(id) {
      if (!shown.has(id)) await read(sinceOf("30d", now()), false);
      const record = shown.get(id);
      if (record === undefined) return undefined;
      const view = {
        ...viewOf(record, functionName !== undefined),
        ...(record.requestId ? { requestId: record.requestId } : {}),
        method: "POST",
      };
      const object = await keptOf(record);
      if (object !== undefined) {
        const bytes = Buffer.from(object.body, "base64");
        const contentType = object.headers["content-type"];
        const body = presentBody(bytes, contentType);
        const story: DeliveryStory = {
          ...view,
          ...(contentType ? { contentType } : {}),
          body: body.text,
          bodyFormat: body.format,
          bodyBytes: bytes.length,
          bodyNote: `Kept by the stage (${record.keptAs}): not delivered, ${object.reason}.`,
        };
        return story;
      }
      const story: DeliveryStory = {
        ...view,
        bodyFormat: "none",
        bodyNote: record.keptAs
          ? `The stage keeps this webhook's bytes (${record.keptAs}); start the page with --bucket NAME (the stack's UndeliveredBucketName output) to see them. A redelivery sends them again from there.`
          : "The delivery history keeps a webhook's fate, not its bytes. The stage keeps the bytes of a webhook it did not deliver (ALMA_UNDELIVERED_BUCKET), and a redelivery sends them again from there.",
      };
      return story;
    },
    async bodyBytes(id) {
      const record = shown.get(id);
      const object = record === undefined ? undefined : await keptOf(record);
      if (object === undefined) return undefined;
      return {
        bytes: Buffer.from(object.body, "base64"),
        contentType: object.headers["content-type"] ?? "application/octet-stream",
      };
    },
    async redeliver(ids) {
      if (functionName === undefined) {
        const body = "This page was started without --function NAME: it cannot redeliver.";
        return { results: ids.map((id) => ({ id, statusCode: 400, body, outcome: "not-configured" })) };
      }
      try {
        return await invoke(functionName, ids);
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        const results: RedeliveryResult[] = ids.map((id) => ({
          id,
          statusCode: 502,
          body: error.message,
          outcome: "invoke-failed",
        }));
        return { results };
      }
    },
  };
}
