import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalSettingsError } from "@alma-webhooks/local-aws/errors";

/**
 * The development secret of the original README, published and so no secret at all: the local server
 * defaults to it, and refuses it against real AWS (`ALMA_LOCAL_SFN=off`).
 */
export const DEV_SECRET = "itsasecret";

/** Default port of the local server, the one the original README's `docker run -p 9000:8080` used. */
export const DEFAULT_PORT = 9000;

/** Default host: loopback only, so a development server is never reachable from the network by accident. */
export const DEFAULT_HOST = "127.0.0.1";

// Resolved from this file (dist/src/local/defaults.js) rather than from the working directory, so that
// `make run` and the CLI agree on the path wherever they are started from.

/** Where the local endpoint journals the executions it started, unless `ALMA_LOCAL_JOURNAL` says otherwise. */
export const DEFAULT_JOURNAL_PATH = fileURLToPath(
  new URL("../../../../../.local/executions.jsonl", import.meta.url),
);

/** The local server's own settings, read from the environment. */
export interface LocalSettings {
  readonly host: string;
  /**
   * True when the operator chose the bind address (`ALMA_LOCAL_HOST` or `serve --host`): requests are then
   * served whatever their `Host` header. Otherwise only the loopback names with the port are.
   */
  readonly hostChosen: boolean;
  readonly port: number;
  /** False when `ALMA_LOCAL_SFN=off`: the SDK then talks to real AWS (or your own `AWS_ENDPOINT_URL_SFN`). */
  readonly localStepFunctions: boolean;
  /** Port of the embedded Step Functions endpoint; 0 (default) lets the OS choose. */
  readonly stepFunctionsPort: number;
  readonly journalPath: string;
}

function portOf(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new LocalSettingsError(`${name} must be a port number from 0 to 65535, got '${value}'`);
  }
  return port;
}

const OFF = new Set(["off", "false", "0", "no"]);
const ON = new Set(["on", "true", "1", "yes", ""]);

/**
 * Reads `PORT`, `ALMA_LOCAL_HOST`, `ALMA_LOCAL_SFN` (on/off), `ALMA_LOCAL_SFN_PORT` and `ALMA_LOCAL_JOURNAL`.
 *
 * @example
 * ```ts
 * const { port } = localSettings({ PORT: "9001" }); // 9001
 * ```
 */
export function localSettings(env: Readonly<Record<string, string | undefined>>): LocalSettings {
  const sfn = (env.ALMA_LOCAL_SFN ?? "on").trim().toLowerCase();
  if (!OFF.has(sfn) && !ON.has(sfn)) {
    throw new LocalSettingsError(`ALMA_LOCAL_SFN must be 'on' or 'off', got '${env.ALMA_LOCAL_SFN}'`);
  }
  const journal = env.ALMA_LOCAL_JOURNAL?.trim();
  // Not HOST: shells and CI systems set that for their own purposes.
  const host = env.ALMA_LOCAL_HOST?.trim();
  return {
    host: host || DEFAULT_HOST,
    hostChosen: Boolean(host),
    port: portOf("PORT", env.PORT, DEFAULT_PORT),
    localStepFunctions: !OFF.has(sfn),
    stepFunctionsPort: portOf("ALMA_LOCAL_SFN_PORT", env.ALMA_LOCAL_SFN_PORT, 0),
    journalPath: journal ? resolve(journal) : DEFAULT_JOURNAL_PATH,
  };
}
