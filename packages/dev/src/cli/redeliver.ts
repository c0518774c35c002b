import { parseArgs } from "node:util";
import { readWebhooks, webhookJournalPath } from "../local/webhook-journal.js";
import { type DeliveryRecord, type DeliverySource, sinceOf, tableSource } from "./deliveries.js";
import { CliError, type CliIo } from "./io.js";
import { DEFAULT_URL } from "./send.js";

// `alma-webhook redeliver`: the operator's way to have kept webhooks routed again. Deployed, it invokes the
// function with the redelivery event of contract C3 (ids only; the function reads the bytes it kept
// itself); locally it posts C4's request to the local server's /_/redeliver.

/** One id's answer, as the function (C3) and the local server (C4) give it. */
export interface RedeliveryResult {
  readonly id: string;
  readonly statusCode: number;
  readonly body: string;
  readonly outcome?: string;
}

/**
 * Where kept webhooks are redelivered: the deployed function or the local server. `redeliver` takes one
 * batch of ids and resolves to their results; it rejects (CliError) when the batch could not be tried.
 *
 * @example
 * ```ts
 * const target: Redeliverer = { describe: "function alma-webhooks:live", redeliver: async (ids) => [] };
 * ```
 */
export interface Redeliverer {
  /** Named in messages: "function alma-webhooks:live", "the local server http://127.0.0.1:9000/". */
  readonly describe: string;
  redeliver(ids: readonly string[]): Promise<readonly RedeliveryResult[]>;
  /** Releases what it holds (the SDK client). */
  close?(): void;
}

/** Ids per invocation: the function takes at most 20 and routes them in turn inside its 4 s timeout. */
export const REDELIVERY_BATCH = 10;
/** The outcome of an id the function had no time left for (C3): sent again in the next invocation. */
const NOT_TRIED = "not-tried";
/** Invocations an id may be left untried in before it counts as not delivered. */
const MAX_TRIES = 3;
/** What an id of a kept webhook may be (the function refuses an event naming anything else). */
const WEBHOOK_ID = /^[A-Za-z0-9_-]{1,200}$/;
/** Long enough for a batch the local server routes in turn, each inside Alma's 5 s. */
const LOCAL_TIMEOUT_MS = 60_000;

const isDict = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The results of an answer `{"results": [...]}` (C3, C4), or why it is not one. */
export function resultsOf(answer: unknown, from: string): readonly RedeliveryResult[] {
  if (!isDict(answer)) throw new CliError(`${from} answered something else than {"results": [...]}`);
  const { results, error } = answer;
  if (typeof error === "string" && (!Array.isArray(results) || results.length === 0))
    throw new CliError(`${from} refused the redelivery: ${error}`);
  if (!Array.isArray(results)) throw new CliError(`${from} answered without "results"`);
  return results.map((result) => {
    if (!isDict(result) || typeof result.id !== "string" || typeof result.statusCode !== "number")
      throw new CliError(
        `${from} answered a result without an id and a statusCode: ${JSON.stringify(result)}`,
      );
    return {
      id: result.id,
      statusCode: result.statusCode,
      body: typeof result.body === "string" ? result.body : "",
      ...(typeof result.outcome === "string" ? { outcome: result.outcome } : {}),
    };
  });
}

/**
 * The deployed function, invoked with contract C3's event (`{"redeliver": {"ids": [...]}}`, `RequestResponse`)
 * through `@aws-sdk/client-lambda`, loaded at the first batch; `name` goes to Lambda exactly as given
 * (`NAME`, `NAME:live`, an ARN). The SDK's usual settings say where (`AWS_REGION`, `AWS_PROFILE`,
 * `AWS_ENDPOINT_URL_LAMBDA`).
 *
 * @example
 * ```ts
 * const results = await functionRedeliverer("alma-webhooks-prod:live").redeliver(["20241106T144310-6219373120004761"]);
 * ```
 */
export function functionRedeliverer(name: string): Redeliverer {
  type Sdk = typeof import("@aws-sdk/client-lambda");
  let loaded: { sdk: Sdk; client: InstanceType<Sdk["LambdaClient"]> } | undefined;
  const describe = `function ${name}`;
  return {
    describe,
    async redeliver(ids) {
      if (loaded === undefined) {
        const sdk = await import("@aws-sdk/client-lambda");
        loaded = { sdk, client: new sdk.LambdaClient({}) };
      }
      const { sdk, client } = loaded;
      let output: import("@aws-sdk/client-lambda").InvokeCommandOutput;
      try {
        output = await client.send(
          new sdk.InvokeCommand({
            FunctionName: name,
            InvocationType: "RequestResponse",
            Payload: Buffer.from(JSON.stringify({ redeliver: { ids } })),
          }),
        );
      } catch (error) {
        const { name: type = "Error", message = String(error) } = error as Error;
        throw new CliError(`Cannot invoke ${describe}: ${type}: ${message}`);
      }
      const text = Buffer.from(output.Payload ?? []).toString("utf8");
      if (output.FunctionError !== undefined)
        throw new CliError(`${describe} failed (${output.FunctionError}): ${text}`);
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch {
        throw new CliError(`${describe} answered something that is not JSON: ${text.slice(0, 200)}`);
      }
      return resultsOf(answer, describe);
    },
    close: () => loaded?.client.destroy(),
  };
}

/**
 * The local server (`make run`), sent contract C4's request: `POST {url}/_/redeliver` with `{"ids": [...]}`.
 *
 * @example
 * ```ts
 * const results = await localRedeliverer("http://127.0.0.1:9000/").redeliver(["3f2a9c1d"]);
 * ```
 */
export function localRedeliverer(url: string): Redeliverer {
  let target: URL;
  try {
    target = new URL("_/redeliver", new URL(url.endsWith("/") ? url : `${url}/`));
  } catch {
    throw new CliError(`Not a URL: ${url}`, 2);
  }
  const describe = `the local server ${target.origin}`;
  return {
    describe,
    async redeliver(ids) {
      let response: Response;
      try {
        response = await fetch(target, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ ids }),
          signal: AbortSignal.timeout(LOCAL_TIMEOUT_MS),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
        const hint = cause === "ECONNREFUSED" ? " Is the local server running (make run)?" : "";
        throw new CliError(`Could not reach ${target.origin}: ${cause}.${hint}`);
      }
      const text = await response.text();
      if (response.status !== 200)
        throw new CliError(
          `${target.href} answered ${response.status}: ${text.replace(/\s+/g, " ").slice(0, 300)}`,
        );
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch {
        throw new CliError(`${target.href} answered something that is not JSON: ${text.slice(0, 200)}`);
      }
      return resultsOf(answer, describe);
    },
  };
}

/** The id of a history record's kept bytes (`keptAs`: `undelivered/<id>.json`), if they were kept. */
export function keptIdOf(record: DeliveryRecord): string | undefined {
  const match = /^undelivered\/([A-Za-z0-9_-]+)\.json$/.exec(record.keptAs ?? "");
  return match?.[1];
}

/** One line per id: the id, the answer's status and outcome, its body on one line. */
export function formatRedelivery(result: RedeliveryResult): string {
  const body = result.body.replace(/\s*\n\s*/g, " ");
  return `${result.id}  ${result.statusCode}${result.outcome ? ` ${result.outcome}` : ""}  ${body}`;
}

/** What the command may be given instead of the real targets and sources (tests). */
export interface RedeliverDependencies {
  readonly functionTarget?: (name: string) => Redeliverer;
  readonly localTarget?: (url: string) => Redeliverer;
  readonly historySource?: (table: string) => DeliverySource;
  readonly now?: () => number;
}

/** The ids of the failed webhooks in the deployed delivery history, each once, oldest first. */
async function failedInTable(source: DeliverySource, since: string, io: CliIo): Promise<string[]> {
  const records = await source.read({ since, failedOnly: true });
  records.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  const ids = records.map(keptIdOf);
  const notKept = ids.filter((id) => id === undefined).length;
  if (notKept > 0)
    io.stderr(
      `${notKept} failed webhook(s) since ${since} in ${source.describe} have no kept bytes (received before ALMA_UNDELIVERED_BUCKET was set): they cannot be redelivered\n`,
    );
  return [...new Set(ids.filter((id): id is string => id !== undefined))];
}

/** The ids of the failed webhooks the local server journalled (a 401 or 405 was never verified: not kept). */
async function failedInJournal(io: CliIo, since: number): Promise<string[]> {
  const path = webhookJournalPath(io.env, io.cwd);
  const { entries } = await readWebhooks(path);
  const failed = entries.filter(
    (entry) =>
      Date.parse(entry.time) >= since &&
      entry.status !== 401 &&
      entry.status !== 405 &&
      (entry.status >= 400 || entry.decisions.some((decision) => decision.decision === "failed")),
  );
  return [...new Set(failed.map((entry) => entry.id))];
}

/**
 * `redeliver ID... [--function NAME[:QUALIFIER] | --url URL] [--dry-run]` and
 * `redeliver --failed [--since 24h] [--table TABLE] [--function NAME] [--dry-run]`: has kept webhooks routed
 * again, deployed (contract C3: the function is invoked with their ids) or locally (C4: the local server's
 * `/_/redeliver`). Prints one line per id with its answer; exit code 1 when any was not delivered (a 4xx or
 * 5xx answer, an unknown id, no answer), 2 for a usage error.
 */
export async function redeliverCommand(
  args: readonly string[],
  io: CliIo,
  dependencies: RedeliverDependencies = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      function: { type: "string" },
      url: { type: "string" },
      failed: { type: "boolean", default: false },
      since: { type: "string", default: "24h" },
      table: { type: "string" },
      "dry-run": { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  const name = values.function;
  if (name !== undefined && name.trim() === "") throw new CliError("--function needs a function name", 2);
  if (name !== undefined && values.url !== undefined)
    throw new CliError(
      "Redeliver through the function (--function) or the local server (--url), not both",
      2,
    );
  if (values.failed === positionals.length > 0)
    throw new CliError("Name the webhook ids to redeliver, or --failed for every failed one, not both", 2);
  const now = (dependencies.now ?? Date.now)();
  let ids: string[];
  if (values.failed) {
    const table = values.table ?? (name !== undefined ? io.env.ALMA_IDEMPOTENCY_TABLE : undefined);
    if (table !== undefined) {
      const source = (dependencies.historySource ?? tableSource)(table);
      ids = await failedInTable(source, sinceOf(values.since, now), io);
    } else if (name !== undefined) {
      throw new CliError("--failed reads the delivery history: say which ledger table, --table NAME", 2);
    } else {
      ids = await failedInJournal(io, Date.parse(sinceOf(values.since, now)));
    }
    if (ids.length === 0) {
      io.stderr(`No failed webhooks to redeliver since ${sinceOf(values.since, now)}\n`);
      return 0;
    }
  } else {
    if (values.table !== undefined) throw new CliError("--table goes with --failed", 2);
    ids = [...new Set(positionals.map((id) => id.trim()))];
    const wrong = ids.filter((id) => (name === undefined ? id === "" : !WEBHOOK_ID.test(id)));
    if (wrong.length > 0)
      throw new CliError(
        `Not webhook ids (letters, digits, '-' and '_'): ${wrong.map((id) => JSON.stringify(id)).join(", ")}`,
        2,
      );
  }
  const target =
    name !== undefined
      ? (dependencies.functionTarget ?? functionRedeliverer)(name)
      : (dependencies.localTarget ?? localRedeliverer)(values.url ?? DEFAULT_URL);
  if (values["dry-run"]) {
    for (const id of ids) io.stdout(`${id}  would be redelivered through ${target.describe}\n`);
    io.stderr(`Dry run: ${ids.length} webhook(s), nothing invoked\n`);
    return 0;
  }
  let failed = 0;
  // The function tries an id only with a whole webhook deadline left and answers the rest "not-tried":
  // those go again in the next invocation, each at most MAX_TRIES times.
  const tries = new Map<string, number>();
  const queue = [...ids];
  try {
    while (queue.length > 0) {
      const batch = queue.splice(0, REDELIVERY_BATCH);
      const results = await target.redeliver(batch);
      const again: string[] = [];
      for (const id of batch) {
        const result = results.find((candidate) => candidate.id === id);
        if (result === undefined) {
          failed += 1;
          io.stdout(`${id}  no answer: ${target.describe} answered nothing for this id\n`);
          continue;
        }
        const tried = (tries.get(id) ?? 0) + 1;
        tries.set(id, tried);
        if (result.outcome === NOT_TRIED && tried < MAX_TRIES) {
          again.push(id);
          continue;
        }
        if (result.statusCode >= 400) failed += 1;
        io.stdout(`${formatRedelivery(result)}\n`);
      }
      queue.unshift(...again);
    }
  } finally {
    target.close?.();
  }
  io.stderr(`${ids.length - failed} of ${ids.length} webhook(s) redelivered through ${target.describe}\n`);
  return failed > 0 ? 1 : 0;
}
