import { formatArn, STATE_MACHINE_ARN_PATTERN } from "@alma-webhooks/aws/arn";
import type { SettingSpec, WebhookPlugin } from "@alma-webhooks/core";
import { exampleEnvironment, jobEndPayload } from "@alma-webhooks/core/testing";
import { deployedPlugins } from "@alma-webhooks/lambda/plugins";
import { DEV_SECRET } from "./defaults.js";

// Everything the local tooling knows about pipelines comes from the plugin list: adding a plugin to
// src/plugins.ts gives it local defaults, a local state machine and demo payloads with nothing to edit here.

/** Account and region of the local state machines: AWS's documentation account, never a real one. */
const LOCAL = { region: "us-east-1", account: "123456789012" } as const;

/**
 * The local state machine of a plugin, e.g. `arn:aws:states:us-east-1:123456789012:stateMachine:ppod-local`.
 *
 * @example
 * ```ts
 * localStateMachineArn(bursarPlugin); // "...:stateMachine:bursar-local"
 * ```
 */
export function localStateMachineArn(plugin: WebhookPlugin): string {
  return formatArn({
    ...LOCAL,
    service: "states",
    resource: `stateMachine:${plugin.name.toLowerCase()}-local`,
  });
}

/** A setting that names a state machine: declared with core's state machine ARN pattern. */
const namesStateMachine = (spec: SettingSpec): boolean => spec.pattern === STATE_MACHINE_ARN_PATTERN;

/**
 * The variables of the plugins that name state machines (`PPOD_STATE_MACHINE_ARN`, ...).
 *
 * @example
 * ```ts
 * stateMachineVariables(); // ["PPOD_STATE_MACHINE_ARN", "TIMDEX_STATE_MACHINE_ARN", "BURSAR_STATE_MACHINE_ARN"]
 * ```
 */
export function stateMachineVariables(plugins: readonly WebhookPlugin[] = deployedPlugins): string[] {
  return plugins.flatMap((plugin) =>
    Object.values(plugin.settings)
      .filter(namesStateMachine)
      .map((s) => s.env),
  );
}

/**
 * The zero-configuration environment of the local server: `WORKSPACE=dev`, the development secret, every
 * plugin setting's `example`, and for each setting that names a state machine the plugin's local one.
 *
 * @example
 * ```ts
 * localDefaults().ALMA_POD_EXPORT_JOB_NAME; // "Publishing Platform Job PPOD EXPORT to Dev1"
 * ```
 */
export function localDefaults(plugins: readonly WebhookPlugin[] = deployedPlugins): Record<string, string> {
  const defaults: Record<string, string> = { WORKSPACE: "dev", ALMA_CHALLENGE_SECRET: DEV_SECRET };
  for (const plugin of plugins) {
    Object.assign(defaults, exampleEnvironment(plugin));
    for (const spec of Object.values(plugin.settings)) {
      if (namesStateMachine(spec)) defaults[spec.env] = localStateMachineArn(plugin);
    }
  }
  return defaults;
}

/** The stored secret the environment names (ALMA_CHALLENGE_SECRET_ARN or _PARAMETER), if any. */
export function storedSecretOf(
  env: Readonly<Record<string, string | undefined>>,
): { readonly store: "secrets-manager" | "ssm"; readonly id: string; readonly variable: string } | undefined {
  const arn = env.ALMA_CHALLENGE_SECRET_ARN?.trim();
  if (arn) return { store: "secrets-manager", id: arn, variable: "ALMA_CHALLENGE_SECRET_ARN" };
  const parameter = env.ALMA_CHALLENGE_SECRET_PARAMETER?.trim();
  if (parameter) return { store: "ssm", id: parameter, variable: "ALMA_CHALLENGE_SECRET_PARAMETER" };
  return undefined;
}

/** The environment after defaults, and which variables took their default. */
export interface DefaultedEnvironment {
  readonly env: Record<string, string | undefined>;
  /** Names of the variables that were absent and got their default, in {@link localDefaults} order. */
  readonly defaulted: readonly string[];
}

/**
 * Fills in {@link localDefaults} for every variable the user did not set. A variable set to the empty
 * string counts as set: `ALMA_BURSAR_EXPORT_JOB_NAME= make run` turns the Bursar plugin off. With
 * `realAws`, neither the secret nor the state machine ARNs are defaulted: against real AWS a published
 * secret would let anyone start pipelines, and local ARNs would only fail.
 *
 * @example
 * ```ts
 * const { env, defaulted } = withDefaults(process.env);
 * // env.WORKSPACE === "dev" unless WORKSPACE was set; defaulted lists what was filled in
 * ```
 */
export function withDefaults(
  source: Readonly<Record<string, string | undefined>>,
  options: { readonly realAws?: boolean; readonly plugins?: readonly WebhookPlugin[] } = {},
): DefaultedEnvironment {
  const plugins = options.plugins ?? deployedPlugins;
  const notAgainstAws = new Set(
    options.realAws ? ["ALMA_CHALLENGE_SECRET", ...stateMachineVariables(plugins)] : [],
  );
  // A stored secret's ARN or parameter name replaces the development secret: one place for the secret.
  if (storedSecretOf(source)) notAgainstAws.add("ALMA_CHALLENGE_SECRET");
  const env: Record<string, string | undefined> = { ...source };
  const defaulted: string[] = [];
  for (const [name, value] of Object.entries(localDefaults(plugins))) {
    if (env[name] === undefined && !notAgainstAws.has(name)) {
      env[name] = value;
      defaulted.push(name);
    }
  }
  return { env, defaulted };
}

const loaded = new Map<WebhookPlugin, readonly Readonly<Record<string, unknown>>[]>();

/**
 * Loads the sample payloads of `plugins` (each plugin's `samplePayloads()`), so that {@link samplesOf} and
 * {@link samplePayloads} have them; the plugin list's are loaded when this module is.
 *
 * @example
 * ```ts
 * await loadSamples([extraPlugin]);
 * ```
 */
export async function loadSamples(plugins: readonly WebhookPlugin[]): Promise<void> {
  for (const plugin of plugins) loaded.set(plugin, (await plugin.samplePayloads?.()) ?? []);
}
await loadSamples(deployedPlugins);

/**
 * A plugin's sample payloads, once loaded by {@link loadSamples}.
 *
 * @example
 * ```ts
 * samplesOf(podPlugin).length; // 1
 * ```
 */
export const samplesOf = (plugin: WebhookPlugin): readonly Readonly<Record<string, unknown>>[] =>
  loaded.get(plugin) ?? [];

/** One demo webhook body. */
export interface SamplePayload {
  /** Its file name when written out, and its label in `replay`: `ppod-1.json`, ..., `unrelated.json`. */
  readonly name: string;
  /** The plugin whose sample it is; undefined for the unrelated job. */
  readonly plugin: string | undefined;
  /** The bytes sent (and signed): the payload as indented JSON. */
  readonly body: Buffer;
}

/** A job of the dev environment that no plugin claims: shows the "no action taken" answer. */
const UNRELATED_JOB_NAME = "Publishing Platform Job Google Scholar EXPORT to Dev1";

const bytesOf = (payload: unknown): Buffer => Buffer.from(`${JSON.stringify(payload, null, 2)}\n`);

/**
 * Every plugin's `samplePayloads`, in plugin order, then (unless `unrelated: false`) one job no plugin
 * claims. Under {@link localDefaults} each plugin sample starts its pipeline.
 *
 * @example
 * ```ts
 * samplePayloads().map((s) => s.name); // ["ppod-1.json", "timdex-1.json", "timdex-2.json", "bursar-1.json", "unrelated.json"]
 * ```
 */
export function samplePayloads(
  plugins: readonly WebhookPlugin[] = deployedPlugins,
  options: { readonly unrelated?: boolean } = {},
): SamplePayload[] {
  const samples: SamplePayload[] = plugins.flatMap((plugin) =>
    samplesOf(plugin).map((payload, i) => ({
      name: `${plugin.name.toLowerCase()}-${i + 1}.json`,
      plugin: plugin.name,
      body: bytesOf(payload),
    })),
  );
  if (options.unrelated !== false) {
    const payload = jobEndPayload({ job_instance: { name: UNRELATED_JOB_NAME } });
    samples.push({ name: "unrelated.json", plugin: undefined, body: bytesOf(payload) });
  }
  return samples;
}
