import { parseArgs } from "node:util";
import { type LocalServer, startLocalServer } from "../local/server.js";
import { type HistorySourceOptions, historyDeliveriesSource } from "../page/history-source.js";
import { DELIVERIES_PATH, deliveriesPages } from "../page/routes.js";
import { CliError, type CliIo } from "./io.js";

/** Where `deliveries --table NAME --serve` listens unless `--port` says otherwise: beside `make run`'s 9000. */
export const DEFAULT_PAGE_PORT = 9001;

/** Options of {@link startDeliveriesPage}. */
export interface DeliveriesPageOptions extends HistorySourceOptions {
  /** Default {@link DEFAULT_PAGE_PORT}; 0 lets the OS choose. */
  readonly port?: number;
}

/**
 * Serves the deliveries page of a deployed stage on 127.0.0.1: its delivery history (the ledger table), read
 * with the operator's own AWS credentials, and redelivery through the function (`functionName`). The server
 * answers only the page: every other path is 404, and nothing is added to the deployed function.
 *
 * @throws PortInUseError when the port is taken.
 * @example
 * ```ts
 * const page = await startDeliveriesPage({ table: "alma-ledger", functionName: "alma-webhook-prod:live" });
 * // open `${page.url}/_/deliveries`
 * ```
 */
export function startDeliveriesPage(options: DeliveriesPageOptions): Promise<LocalServer> {
  const { port = DEFAULT_PAGE_PORT, ...source } = options;
  return startLocalServer({
    host: "127.0.0.1",
    port,
    invoke: async () => ({
      statusCode: 404,
      headers: { "content-type": "text/plain" },
      body: `This server serves the deliveries page only: ${DELIVERIES_PATH}`,
    }),
    pages: deliveriesPages(historyDeliveriesSource(source)),
  });
}

/** Resolves on the first SIGINT or SIGTERM. */
const untilSignal = (): Promise<NodeJS.Signals> =>
  new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });

/**
 * `deliveries --table NAME --serve [--function NAME[:QUALIFIER]] [--bucket NAME] [--port 9001] [--since 24h]`:
 * the deliveries page for a deployed stage, on 127.0.0.1, until Ctrl-C; with `--bucket` (the stage's
 * `ALMA_UNDELIVERED_BUCKET`) a webhook that was not delivered opens to the bytes the stage kept.
 */
export async function deliveriesPageCommand(
  args: readonly string[],
  io: CliIo,
  stopped: () => Promise<unknown> = untilSignal,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      table: { type: "string" },
      serve: { type: "boolean", default: false },
      function: { type: "string" },
      bucket: { type: "string" },
      port: { type: "string" },
      since: { type: "string", default: "24h" },
    },
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new CliError("deliveries takes no arguments", 2);
  const table = values.table ?? io.env.ALMA_IDEMPOTENCY_TABLE;
  if (!table) throw new CliError("Say which ledger table to read: --table NAME or ALMA_IDEMPOTENCY_TABLE", 2);
  const port = values.port === undefined ? DEFAULT_PAGE_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(`--port must be a port number from 0 to 65535, got '${values.port}'`, 2);
  }
  const page = await startDeliveriesPage({
    table,
    port,
    defaultSince: values.since,
    ...(values.function ? { functionName: values.function } : {}),
    ...(values.bucket ? { bucket: values.bucket } : {}),
  });
  io.stdout(`listening on ${page.url}\n`);
  io.stdout(`The deliveries of table ${table}: ${page.url}${DELIVERIES_PATH}\n`);
  io.stdout(
    values.function
      ? `Redeliver invokes ${values.function} with your AWS credentials.\n`
      : "Read only: add --function NAME[:live] to redeliver.\n",
  );
  io.stdout("Ctrl-C stops it.\n");
  await stopped();
  await page.close();
  return 0;
}
