import { parseArgs } from "node:util";
import { CliError, type CliIo } from "./io.js";

/** One verified webhook as the delivery history keeps it (the ledger's `kind: webhook` records). */
export interface DeliveryRecord {
  readonly receivedAt: string;
  readonly action?: string;
  readonly event?: string;
  readonly jobName?: string;
  readonly identity?: string;
  readonly outcome: string;
  readonly status: number;
  readonly failed: boolean;
  readonly plugins: readonly Record<string, unknown>[];
  readonly requestId?: string;
  /** Why a webhook that may be Alma's was not delivered (core's `NotDeliveredReason`). */
  readonly notDelivered?: string;
  /** Where its bytes are kept for a redelivery: the object key in `ALMA_UNDELIVERED_BUCKET`. */
  readonly keptAs?: string;
}

/** What `deliveries` asks of a source. */
export interface DeliveryQuery {
  /** Only webhooks received at or after this instant (ISO 8601). */
  readonly since: string;
  /** Only webhooks with a failed or refused delivery, or a 4xx/5xx answer. */
  readonly failedOnly: boolean;
}

/**
 * Where the delivery history is read from: the DynamoDB table (here), and later the local server.
 *
 * @example
 * ```ts
 * const source: DeliverySource = { describe: "table t", read: async () => [] };
 * ```
 */
export interface DeliverySource {
  /** Named in messages: "table alma-webhooks-ledger". */
  readonly describe: string;
  read(query: DeliveryQuery): Promise<DeliveryRecord[]>;
}

type AttributeMap = Record<string, { S?: string; N?: string; BOOL?: boolean }>;

/** A source that scans the ledger table (`ALMA_IDEMPOTENCY_TABLE`) with the AWS SDK's usual settings. */
export function tableSource(table: string): DeliverySource {
  return {
    describe: `table ${table}`,
    async read(query) {
      const { DynamoDBClient, ScanCommand } = await import("@aws-sdk/client-dynamodb");
      const client = new DynamoDBClient({});
      const records: DeliveryRecord[] = [];
      let start: Record<string, unknown> | undefined;
      try {
        do {
          const output = await client.send(
            new ScanCommand({
              TableName: table,
              FilterExpression: `kind = :kind AND receivedAt >= :since${query.failedOnly ? " AND failed = :failed" : ""}`,
              ExpressionAttributeValues: {
                ":kind": { S: "webhook" },
                ":since": { S: query.since },
                ...(query.failedOnly ? { ":failed": { BOOL: true } } : {}),
              },
              ...(start ? { ExclusiveStartKey: start as never } : {}),
            }),
          );
          for (const item of (output.Items ?? []) as AttributeMap[]) records.push(recordOf(item));
          start = output.LastEvaluatedKey;
        } while (start);
      } catch (error) {
        throw new CliError(`Cannot read the delivery history from table ${table}: ${String(error)}`);
      } finally {
        client.destroy();
      }
      return records;
    },
  };
}

function recordOf(item: AttributeMap): DeliveryRecord {
  const text = (key: string) => item[key]?.S;
  let plugins: Record<string, unknown>[] = [];
  try {
    plugins = JSON.parse(text("plugins") ?? "[]") as Record<string, unknown>[];
  } catch {
    // An unreadable list shows as none.
  }
  const optional = (key: string) => (text(key) ? { [key]: text(key) } : {});
  return {
    receivedAt: text("receivedAt") ?? "",
    outcome: text("outcome") ?? "",
    status: Number(item.status?.N ?? 0),
    failed: item.failed?.BOOL === true,
    plugins,
    ...optional("action"),
    ...optional("event"),
    ...optional("jobName"),
    ...optional("identity"),
    ...optional("requestId"),
    ...optional("notDelivered"),
    ...optional("keptAs"),
  } as DeliveryRecord;
}

/** `24h`, `7d`, `90m`, `30s`, or an ISO 8601 instant: the start of the listing. */
export function sinceOf(value: string, now: number): string {
  const match = /^(\d+)([smhd])$/.exec(value.trim());
  if (match) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "s" | "m" | "h" | "d"];
    return new Date(now - Number(match[1]) * unit).toISOString();
  }
  const at = Date.parse(value);
  if (Number.isNaN(at))
    throw new CliError(`--since takes a duration like 24h, 7d or 90m, or a date: '${value}'`, 2);
  return new Date(at).toISOString();
}

/** One plugin's fate, in a few words. */
function fateOf(result: Record<string, unknown>): string {
  const plugin = String(result.plugin ?? "?");
  const decision = String(result.decision ?? "?");
  switch (decision) {
    case "started":
    case "duplicate":
      return `${plugin} ${result.forwarded ? (decision === "started" ? "forwarded" : "already forwarded") : decision}`;
    case "failed":
      return `${plugin} failed${result.transient ? " (transient)" : ""}: ${String(result.error ?? "")}`;
    case "too-large":
      return `${plugin} too large: ${String(result.size)} > ${String(result.limit)} bytes`;
    case "declined":
      return `${plugin} declined: ${String(result.reason ?? "")}`;
    case "status-not-accepted":
      return `${plugin} status ${String(result.status ?? "")} not accepted`;
    default:
      return `${plugin} ${decision}`;
  }
}

/** One readable line per webhook. */
export function formatDelivery(record: DeliveryRecord): string {
  const what = record.jobName
    ? `${record.action ?? "JOB_END"} '${record.jobName}'`
    : [record.action, record.event].filter(Boolean).join(" ");
  const fates = record.plugins.map(fateOf);
  return [
    record.receivedAt,
    String(record.status),
    what || "?",
    record.identity ?? "-",
    fates.length > 0 ? fates.join("; ") : record.outcome,
  ].join("  ");
}

/**
 * `alma-webhook deliveries [--since 24h] [--failed] [--table NAME] [--json]`: the delivery history, one
 * line per verified webhook, oldest first. The table is `--table`, else `ALMA_IDEMPOTENCY_TABLE`; the AWS
 * SDK's usual settings (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL`) say where it is.
 */
export async function deliveriesCommand(
  args: readonly string[],
  io: CliIo,
  sourceFor: (table: string) => DeliverySource = tableSource,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      since: { type: "string", default: "24h" },
      failed: { type: "boolean", default: false },
      table: { type: "string" },
      json: { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new CliError("deliveries takes no arguments", 2);
  const table = values.table ?? io.env.ALMA_IDEMPOTENCY_TABLE;
  if (!table) throw new CliError("Say which ledger table to read: --table NAME or ALMA_IDEMPOTENCY_TABLE", 2);
  const since = sinceOf(values.since, Date.now());
  const records = await sourceFor(table).read({ since, failedOnly: values.failed });
  records.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  for (const record of records)
    io.stdout(`${values.json ? JSON.stringify(record) : formatDelivery(record)}\n`);
  if (!values.json) io.stderr(`${records.length} webhook(s) since ${since} in table ${table}\n`);
  return 0;
}
