import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The development secret of the original README; the payload templates are meant to be signed with it. */
export const DEV_SECRET = "itsasecret";

/** Default port of the local server, the one the original README's `docker run -p 9000:8080` used. */
export const DEFAULT_PORT = 9000;

/** Default host: loopback only, so a development server is never reachable from the network by accident. */
export const DEFAULT_HOST = "127.0.0.1";

/** The local state machines the embedded Step Functions endpoint knows out of the box. */
export const LOCAL_STATE_MACHINE_ARNS = {
  PPOD_STATE_MACHINE_ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:ppod-local",
  TIMDEX_STATE_MACHINE_ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:timdex-local",
  BURSAR_STATE_MACHINE_ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:bursar-local",
} as const;

/** The demo job names the payload templates in `packages/lambda/templates` carry. */
export const DEMO_JOB_NAMES = {
  ALMA_POD_EXPORT_JOB_NAME: "Publishing Platform Job PPOD EXPORT to Dev1",
  ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX: "Publishing Platform Job TIMDEX EXPORT to Dev1",
  ALMA_BURSAR_EXPORT_JOB_NAME: "Export to bursar using profile Bursar Export to Dev1",
} as const;

/**
 * The zero-configuration environment of the local server: a dev workspace, the dev secret, the demo job
 * names and local state machine ARNs.
 */
export const LOCAL_DEFAULTS: Readonly<Record<string, string>> = {
  WORKSPACE: "dev",
  ALMA_CHALLENGE_SECRET: DEV_SECRET,
  ...DEMO_JOB_NAMES,
  ...LOCAL_STATE_MACHINE_ARNS,
};

// Resolved from this file (dist/src/local/defaults.js) rather than from the working directory, so that
// `make run` and the CLI agree on the paths wherever they are started from.

/** `packages/lambda/templates`: the payload templates shipped with the CLI. */
export const TEMPLATES_DIR = fileURLToPath(new URL("../../../templates/", import.meta.url));

/** Where the local endpoint journals the executions it started, unless `ALMA_LOCAL_JOURNAL` says otherwise. */
export const DEFAULT_JOURNAL_PATH = fileURLToPath(
  new URL("../../../../../.local/executions.jsonl", import.meta.url),
);

/** The environment after defaults, and which variables took their default. */
export interface DefaultedEnvironment {
  readonly env: Record<string, string | undefined>;
  /** Names of the variables that were absent and got their default, in {@link LOCAL_DEFAULTS} order. */
  readonly defaulted: readonly string[];
}

/**
 * Fills in {@link LOCAL_DEFAULTS} for every variable the user did not set. A variable set to the empty
 * string counts as set: `ALMA_BURSAR_EXPORT_JOB_NAME= make run` turns the Bursar plugin off. With
 * `realAws`, the local state machine ARNs are not defaulted: against real AWS they would only fail.
 *
 * @example
 * ```ts
 * const { env, defaulted } = withDefaults(process.env);
 * // env.WORKSPACE === "dev" unless WORKSPACE was set; defaulted lists what was filled in
 * ```
 */
export function withDefaults(
  source: Readonly<Record<string, string | undefined>>,
  options: { readonly realAws?: boolean } = {},
): DefaultedEnvironment {
  const env: Record<string, string | undefined> = { ...source };
  const defaulted: string[] = [];
  for (const [name, value] of Object.entries(LOCAL_DEFAULTS)) {
    if (options.realAws === true && name in LOCAL_STATE_MACHINE_ARNS) continue;
    if (env[name] === undefined) {
      env[name] = value;
      defaulted.push(name);
    }
  }
  return { env, defaulted };
}

/** The local server's own settings, read from the environment. */
export interface LocalSettings {
  readonly host: string;
  readonly port: number;
  /** False when `ALMA_LOCAL_SFN=off`: the SDK then talks to real AWS (or your own `AWS_ENDPOINT_URL_SFN`). */
  readonly localStepFunctions: boolean;
  /** Port of the embedded Step Functions endpoint; 0 (default) lets the OS choose. */
  readonly stepFunctionsPort: number;
  readonly journalPath: string;
}

/** A local setting with an unusable value; the message says which and what is expected. */
export class LocalSettingsError extends Error {
  override readonly name = "LocalSettingsError";
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
  return {
    // Not HOST: shells and CI systems set that for their own purposes.
    host: env.ALMA_LOCAL_HOST?.trim() || DEFAULT_HOST,
    port: portOf("PORT", env.PORT, DEFAULT_PORT),
    localStepFunctions: !OFF.has(sfn),
    stepFunctionsPort: portOf("ALMA_LOCAL_SFN_PORT", env.ALMA_LOCAL_SFN_PORT, 0),
    journalPath: journal ? resolve(journal) : DEFAULT_JOURNAL_PATH,
  };
}
