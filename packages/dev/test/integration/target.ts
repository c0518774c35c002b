import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { DEV_SECRET } from "../../src/local/defaults.js";
import { localDefaults } from "../../src/local/pipelines.js";
import { startServerChild } from "../local/server-child.js";

const run = promisify(execFile);

/** Where the integration suite sends its webhooks, and how to read the executions back. */
export interface IntegrationTarget {
  readonly kind: "local" | "deployed";
  /** The Function URL, with a trailing slash. */
  readonly url: string;
  readonly secret: string;
  readonly workspace: string;
  /** The target's configuration: every plugin's settings (job names, state machine ARNs) as it reads them. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The SFN client settings: the local endpoint, or undefined for the standard AWS chain. */
  readonly stepFunctionsEndpoint: string | undefined;
  readonly region: string;
  stop(): Promise<void>;
}

/** Why the suite is skipped, when it cannot run against the target it chose. */
export interface SkippedTarget {
  readonly kind: "skip";
  readonly reason: string;
}

/**
 * The deployed dev stage when `WORKSPACE=dev`, AWS credentials are present (`AWS_ACCESS_KEY_ID` or
 * `AWS_PROFILE`) and `ALMA_INTEGRATION_TARGET` is not `local`; otherwise the local server. CI runs local.
 */
export function chooseTarget(env: NodeJS.ProcessEnv): "local" | "deployed" {
  const forced = env.ALMA_INTEGRATION_TARGET?.trim().toLowerCase();
  if (forced === "local") return "local";
  if (forced === "deployed") return "deployed";
  const credentials = Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE);
  return env.WORKSPACE?.trim().toLowerCase() === "dev" && credentials ? "deployed" : "local";
}

async function startLocal(): Promise<IntegrationTarget> {
  const server = await startServerChild();
  return {
    kind: "local",
    url: `${server.url}/`,
    secret: DEV_SECRET,
    workspace: "dev",
    // The server child is started with no plugin settings: it runs on the defaults.
    env: localDefaults(),
    stepFunctionsEndpoint: server.stepFunctionsUrl,
    region: "us-east-1",
    async stop() {
      const { code } = await server.stop("SIGINT");
      if (code !== 0) throw new Error(`the local server exited with ${code}:\n${server.output()}`);
    },
  };
}

/** The region of the deployment: the Makefile's default, us-east-1, unless the environment says otherwise. */
export const regionOf = (env: NodeJS.ProcessEnv): string =>
  env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || "us-east-1";

/** Runs the aws CLI (the AWS SDK's Lambda client is not a dependency of this project). */
async function aws(args: readonly string[], region = "us-east-1"): Promise<string> {
  try {
    const { stdout } = await run("aws", [...args, "--region", region], { timeout: 30_000 });
    return stdout.trim();
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? "").trim();
    throw new Error(`aws ${args.slice(0, 2).join(" ")} failed: ${stderr || (error as Error).message}`);
  }
}

async function startDeployed(env: NodeJS.ProcessEnv): Promise<IntegrationTarget | SkippedTarget> {
  try {
    await aws(["--version"]);
  } catch {
    return {
      kind: "skip",
      reason:
        "the deployed dev stage was chosen (WORKSPACE=dev with AWS credentials, or ALMA_INTEGRATION_TARGET=deployed) " +
        "but the aws CLI is not " +
        "installed, and the AWS SDK's Lambda client is not a dependency of this project. Install the " +
        "AWS CLI v2, or run against the local server with ALMA_INTEGRATION_TARGET=local.",
    };
  }
  const functionName = env.ALMA_WEBHOOK_FUNCTION_NAME?.trim() || "alma-webhook-lambdas-dev";
  const region = regionOf(env);
  const [url, variablesJson] = await Promise.all([
    aws(
      [
        "lambda",
        "get-function-url-config",
        "--function-name",
        functionName,
        "--query",
        "FunctionUrl",
        "--output",
        "text",
      ],
      region,
    ),
    aws(
      [
        "lambda",
        "get-function-configuration",
        "--function-name",
        functionName,
        "--query",
        "Environment.Variables",
        "--output",
        "json",
      ],
      region,
    ),
  ]);
  // The function's own environment holds every plugin's job name and state machine ARN.
  const variables = JSON.parse(variablesJson || "{}") as Record<string, string | undefined>;
  const secret = variables.ALMA_CHALLENGE_SECRET;
  if (!secret) throw new Error(`${functionName} has no ALMA_CHALLENGE_SECRET in its environment`);
  return {
    kind: "deployed",
    url: url.endsWith("/") ? url : `${url}/`,
    secret,
    workspace: variables.WORKSPACE ?? env.WORKSPACE ?? "dev",
    env: variables,
    stepFunctionsEndpoint: undefined,
    region,
    stop: async () => {},
  };
}

/** Starts (local) or looks up (deployed) the target the environment asks for. */
export async function resolveTarget(env: NodeJS.ProcessEnv): Promise<IntegrationTarget | SkippedTarget> {
  return chooseTarget(env) === "local" ? startLocal() : startDeployed(env);
}
