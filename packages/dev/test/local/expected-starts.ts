import type { Environment, WebhookPlugin } from "@alma-webhooks/core";
import { createPluginHarness } from "@alma-webhooks/core/testing";
import { deployedPlugins } from "@alma-webhooks/lambda/plugins";

/** A webhook body and the execution its plugin asks for: where, under which name, with which input. */
export interface ExpectedStart {
  readonly plugin: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: unknown;
}

/**
 * For every plugin of the list that `env` activates, each of its sample payloads (as `adapt` makes it)
 * with the start the plugin itself asks for under `env`, worked out by core's plugin harness: the local
 * server and the deployed stage must start exactly that.
 */
export async function expectedStarts(
  env: Environment,
  adapt: (
    payload: Readonly<Record<string, unknown>>,
    plugin: WebhookPlugin,
  ) => Readonly<Record<string, unknown>> = (payload) => payload,
): Promise<ExpectedStart[]> {
  const starts: ExpectedStart[] = [];
  for (const plugin of deployedPlugins) {
    const jobName = plugin.settings[plugin.activatedBy]?.env;
    if (jobName === undefined || !env[jobName]) continue;
    const harness = createPluginHarness(plugin, env, { workspace: env.WORKSPACE ?? "dev" });
    for (const sample of (await plugin.samplePayloads?.()) ?? []) {
      const payload = adapt(sample, plugin);
      const { request, input } = await harness.deliver(payload);
      if (request === undefined)
        throw new Error(`${plugin.name}'s sample payload starts nothing under ${jobName}`);
      starts.push({
        plugin: plugin.name,
        payload,
        stateMachineArn: request.target,
        name: request.name,
        input,
      });
    }
  }
  return starts;
}
