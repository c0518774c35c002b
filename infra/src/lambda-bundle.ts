import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { PluginDescription } from "./alma-webhooks.js";

/** packages/lambda, seen from infra/dist/src (compiled) or infra/src. */
export const LAMBDA_PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), "../../../packages/lambda");

/** What the app takes from the built lambda package: the bundle, its plugin list and core's ARN pattern. */
export interface LambdaBundle {
  readonly zip: string;
  readonly plugins: readonly PluginDescription[];
  readonly stateMachineArnPattern: string;
}

/**
 * Loads the plugin list the bundle was built with (`deployedPlugins` of packages/lambda/src/plugins.ts, from
 * its tsc output) and `STATE_MACHINE_ARN_PATTERN` from the same `@alma-webhooks/aws` the plugins use.
 * Both are read at run time, so infra compiles without the workspace being built.
 */
export async function loadLambdaBundle(lambdaPackage = LAMBDA_PACKAGE): Promise<LambdaBundle> {
  const zip = join(lambdaPackage, "dist", "lambda.zip");
  const pluginsModule = join(lambdaPackage, "dist", "src", "plugins.js");
  for (const path of [zip, pluginsModule]) {
    if (!existsSync(path))
      throw new Error(`${path} is missing: run 'make build' at the repository root first.`);
  }
  const { deployedPlugins } = (await import(pathToFileURL(pluginsModule).href)) as {
    deployedPlugins: readonly PluginDescription[];
  };
  const aws = createRequire(join(lambdaPackage, "package.json")).resolve("@alma-webhooks/aws");
  const { STATE_MACHINE_ARN_PATTERN } = (await import(pathToFileURL(aws).href)) as {
    STATE_MACHINE_ARN_PATTERN: string;
  };
  if (!Array.isArray(deployedPlugins) || typeof STATE_MACHINE_ARN_PATTERN !== "string") {
    throw new Error(`${pluginsModule} or @alma-webhooks/aws does not export what infra expects.`);
  }
  return { zip, plugins: deployedPlugins, stateMachineArnPattern: STATE_MACHINE_ARN_PATTERN };
}

/** A plugin or route the function's loader turned on: what the plan shows of it. */
export interface ActivePluginSummary {
  readonly name: string;
  /** Where its executions start or its webhooks go. */
  readonly target: string;
  readonly settings: Readonly<Record<string, string | undefined>>;
  readonly problems?: readonly string[];
}

/** What the function's own configuration loader (packages/lambda/src/config.ts) finds in an environment. */
export interface FunctionConfiguration {
  readonly plugins: readonly ActivePluginSummary[];
  readonly warnings: readonly string[];
  readonly problems: readonly string[];
}

/** The function's checks, from its build: the same code that checks its environment at cold start. */
export interface FunctionChecks {
  /** `loadConfiguration` of the lambda package: throws a `ConfigurationError` (with `problems`) on a fault of its own. */
  readonly loadConfiguration: (
    env: Readonly<Record<string, string | undefined>>,
    plugins: readonly PluginDescription[],
  ) => FunctionConfiguration;
  /** The function's own variables (`SHELL_VARIABLES`), by name. */
  readonly shellVariables: readonly string[];
  /** The plugins the bundle is built with (`deployedPlugins`). */
  readonly plugins: readonly PluginDescription[];
  /** Core's `closestName`: the suggestion for a misspelled name. */
  readonly closestName: (name: string, known: Iterable<string>, maxDistance?: number) => string | undefined;
  readonly stateMachineArnPattern: string;
}

/**
 * Loads the function's configuration loader, variable list and plugins from the lambda package's tsc output
 * (no bundle needed): a stage file is checked by exactly what checks the function's environment.
 *
 * @example
 * ```ts
 * const checks = await loadFunctionChecks();
 * checks.loadConfiguration({ WORKSPACE: "dev", ALMA_CHALLENGE_SECRET_ARN: arn }, checks.plugins).plugins;
 * ```
 */
export async function loadFunctionChecks(lambdaPackage = LAMBDA_PACKAGE): Promise<FunctionChecks> {
  const module = (name: string) => join(lambdaPackage, "dist", "src", `${name}.js`);
  for (const path of [module("config"), module("plugins")]) {
    if (!existsSync(path))
      throw new Error(`${path} is missing: run 'make compile' at the repository root first.`);
  }
  const config = (await import(pathToFileURL(module("config")).href)) as {
    loadConfiguration: FunctionChecks["loadConfiguration"];
    SHELL_VARIABLES: Record<string, string>;
  };
  const { deployedPlugins } = (await import(pathToFileURL(module("plugins")).href)) as {
    deployedPlugins: readonly PluginDescription[];
  };
  const resolveFrom = createRequire(join(lambdaPackage, "package.json"));
  const core = (await import(pathToFileURL(resolveFrom.resolve("@alma-webhooks/core")).href)) as {
    closestName: FunctionChecks["closestName"];
  };
  const aws = (await import(pathToFileURL(resolveFrom.resolve("@alma-webhooks/aws")).href)) as {
    STATE_MACHINE_ARN_PATTERN: string;
  };
  return {
    loadConfiguration: config.loadConfiguration,
    shellVariables: Object.keys(config.SHELL_VARIABLES),
    plugins: deployedPlugins,
    closestName: core.closestName,
    stateMachineArnPattern: aws.STATE_MACHINE_ARN_PATTERN,
  };
}
