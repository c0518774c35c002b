import { handleLambdaEvent } from "../adapters/lambda.js";
import type { ExecutionRequest } from "../dispatcher.js";
import { ConfigurationError } from "../errors.js";
import type { HttpResponse } from "../http/response.js";
import type { WebhookPlugin } from "../plugin/contract.js";
import { loadPlugins } from "../plugin/registry.js";
import type { Environment } from "../plugin/settings.js";
import { createWebhookRouter } from "../router.js";
import { signedPost } from "./events.js";
import { RecordingDispatcher } from "./fake-dispatcher.js";

/**
 * What one delivery through a {@link PluginHarness} gave.
 *
 * @example
 * ```ts
 * const { response, request, input }: Delivery = await harness.deliver(payload);
 * ```
 */
export interface Delivery {
  readonly response: HttpResponse;
  /** The start the plugin asked for, if any. */
  readonly request?: ExecutionRequest;
  /** That start's input, parsed back from JSON. */
  readonly input?: unknown;
}

/**
 * A plugin behind a real router with a recording dispatcher: what a plugin's own tests drive.
 *
 * @example
 * ```ts
 * const harness: PluginHarness = createPluginHarness(podPlugin, env);
 * expect(harness.dispatcher.requests).to.deep.equal([]);
 * ```
 */
export interface PluginHarness {
  readonly dispatcher: RecordingDispatcher;
  /** Signs and delivers a payload, as Alma would. */
  deliver(payload: unknown): Promise<Delivery>;
}

/**
 * Options of {@link createPluginHarness}.
 *
 * @example
 * ```ts
 * createPluginHarness(podPlugin, env, { workspace: "prod", secret: "s3cret" });
 * ```
 */
export interface PluginHarnessOptions {
  readonly workspace?: string;
  readonly secret?: string;
}

/**
 * Loads one plugin from `env` exactly as the Lambda shell does and puts it behind a real router, so a
 * plugin's tests go through signature, validation, gates and dispatch. Throws {@link ConfigurationError}
 * when `env` does not activate the plugin.
 *
 * @example
 * ```ts
 * const harness = createPluginHarness(podPlugin, { ALMA_POD_EXPORT_JOB_NAME: name, PPOD_STATE_MACHINE_ARN: arn });
 * const { response, input } = await harness.deliver(jobEndPayload({ job_instance: { name } }));
 * ```
 */
export function createPluginHarness(
  plugin: WebhookPlugin<string>,
  env: Environment,
  options: PluginHarnessOptions = {},
): PluginHarness {
  const { active, warnings, problems } = loadPlugins([plugin], env);
  if (active.length === 0 || problems.length > 0) throw new ConfigurationError([...warnings, ...problems]);
  const secret = options.secret ?? "harness-secret";
  const dispatcher = new RecordingDispatcher();
  const router = createWebhookRouter({
    secrets: [secret],
    workspace: options.workspace ?? "dev",
    plugins: active,
    dispatcher,
  });
  return {
    dispatcher,
    async deliver(payload) {
      const before = dispatcher.requests.length;
      const response = await handleLambdaEvent(router, signedPost(payload, secret));
      const request = dispatcher.requests[before];
      return request === undefined ? { response } : { response, request, input: JSON.parse(request.input) };
    },
  };
}

/**
 * The environment a plugin's declared `example` values make: every setting that has one, by variable name.
 * Under it, and `WORKSPACE=dev`, the plugin's `samplePayloads` start its pipeline.
 *
 * @example
 * ```ts
 * const harness = createPluginHarness(podPlugin, exampleEnvironment(podPlugin));
 * for (const payload of (await podPlugin.samplePayloads?.()) ?? []) await harness.deliver(payload);
 * ```
 */
export function exampleEnvironment(plugin: WebhookPlugin<string>): Record<string, string> {
  return Object.fromEntries(
    Object.values(plugin.settings).flatMap((spec) => (spec.example ? [[spec.env, spec.example]] : [])),
  );
}

/**
 * Delivers each of a plugin's `samplePayloads`, signed, under its example settings (`exampleEnvironment`) and
 * `WORKSPACE=dev`, and gives what each delivery did: the check every plugin's own tests make of its samples.
 *
 * @example
 * ```ts
 * const deliveries = await deliverSamples(podPlugin);
 * for (const { response } of deliveries) expect(response.body).to.match(/PPOD pipeline initiated/);
 * ```
 */
export async function deliverSamples(plugin: WebhookPlugin): Promise<Delivery[]> {
  const harness = createPluginHarness(plugin, exampleEnvironment(plugin));
  const deliveries: Delivery[] = [];
  for (const sample of (await plugin.samplePayloads?.()) ?? [])
    deliveries.push(await harness.deliver(sample));
  return deliveries;
}
