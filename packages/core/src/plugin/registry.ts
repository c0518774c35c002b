import { DuplicatePluginError, InvalidPluginError } from "../errors.js";
import type { WebhookPayload } from "../payload/types.js";
import type { SettingValues, WebhookPlugin } from "./contract.js";
import { pluginProblem } from "./define.js";
import type { JobMatcher } from "./matchers.js";
import { type Environment, loadPluginSettings } from "./settings.js";

/**
 * A plugin with its settings loaded: ready for the router. A plugin whose settings are invalid is still
 * registered, with its `problems`: the jobs it claims are answered 500 (so Alma keeps them and retries once
 * the setting is fixed), and every other request is answered as usual.
 *
 * @example
 * ```ts
 * const plugins: ActivePlugin[] = [activatePlugin(bursarPlugin, { jobName, stateMachineArn })];
 * const router = createWebhookRouter({ secrets, workspace: "dev", plugins, dispatcher });
 * ```
 */
export interface ActivePlugin {
  readonly name: string;
  readonly plugin: WebhookPlugin<string>;
  readonly settings: SettingValues<string>;
  /** For a plugin claiming JOB_END with a `jobMatcher`: the job name matcher. */
  readonly matcher?: JobMatcher;
  /** Where its executions start or its webhooks go, as its dispatcher understands it. */
  readonly target: string;
  /** `institution.value`s it acts on; every institution when undefined. */
  readonly institutions?: readonly string[];
  /** Why the plugin cannot run: set when its settings are invalid. */
  readonly problems?: readonly string[];
}

/**
 * What {@link loadPlugins} found: the plugins to route to (broken ones included, with their problems), a
 * warning per inactive plugin, and every problem.
 *
 * @example
 * ```ts
 * const loaded: LoadedPlugins = loadPlugins(deployedPlugins, process.env);
 * for (const problem of loaded.problems) logger.error(problem);
 * ```
 */
export interface LoadedPlugins {
  readonly active: readonly ActivePlugin[];
  readonly warnings: readonly string[];
  readonly problems: readonly string[];
}

/**
 * Makes an {@link ActivePlugin} from a plugin and its settings, as tests and shells that do not read the
 * environment do. With `problems`, the plugin is registered broken.
 *
 * @example
 * ```ts
 * const active = activatePlugin(podPlugin, { jobName: "POD export to Dev1", stateMachineArn: arn });
 * ```
 */
export function activatePlugin<K extends string, P extends WebhookPayload>(
  plugin: WebhookPlugin<K, P>,
  settings: SettingValues<K>,
  problems?: readonly string[],
): ActivePlugin {
  const problem = pluginProblem(plugin);
  if (problem !== undefined) throw new InvalidPluginError(problem);
  const institutions = plugin.institutions?.(settings);
  return {
    name: plugin.name,
    plugin: plugin as WebhookPlugin<string>,
    settings,
    ...(plugin.jobMatcher ? { matcher: plugin.jobMatcher(settings) } : {}),
    target: problems === undefined ? plugin.target(settings) : "",
    ...(institutions === undefined ? {} : { institutions }),
    ...(problems === undefined ? {} : { problems }),
  };
}

/**
 * Loads every plugin's settings from the environment. Plugins whose activating variable is absent are left
 * out with a warning; a plugin with an invalid setting is registered broken (see {@link ActivePlugin}); every
 * problem is collected, not thrown, so the shell can list them all at start-up. A plugin object that
 * definePlugin would refuse (an object literal named "not a valid name!", a lower-case action) is left out,
 * its reason among the problems ({@link pluginProblem}). Two plugins with one name throw
 * {@link DuplicatePluginError}.
 *
 * @example
 * ```ts
 * const { active, warnings, problems } = loadPlugins([podPlugin, timdexPlugin], process.env);
 * for (const warning of warnings) logger.warn(warning);
 * ```
 */
export function loadPlugins(plugins: readonly WebhookPlugin<string>[], env: Environment): LoadedPlugins {
  const seen = new Set<string>();
  const active: ActivePlugin[] = [];
  const warnings: string[] = [];
  const problems: string[] = [];
  for (const plugin of plugins) {
    // An object literal is held to definePlugin's rules: refused (not routed to) with the reason.
    const problem = pluginProblem(plugin);
    if (problem !== undefined) {
      problems.push(problem);
      continue;
    }
    if (seen.has(plugin.name)) throw new DuplicatePluginError(plugin.name);
    seen.add(plugin.name);
    const result = loadPluginSettings(plugin, env);
    if (result.status === "active") active.push(activatePlugin(plugin, result.settings));
    else if (result.status === "inactive") warnings.push(result.warning);
    else {
      problems.push(...result.problems);
      active.push(activatePlugin(plugin, result.settings, result.problems));
    }
  }
  return { active, warnings, problems };
}
