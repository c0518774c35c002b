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
