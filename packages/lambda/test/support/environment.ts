import { STATE_MACHINE_ARN_PATTERN } from "@alma-webhooks/aws";
import type { WebhookPlugin } from "@alma-webhooks/core";
import { exampleEnvironment } from "@alma-webhooks/core/testing";
import { type LocalStepFunctions, startLocalStepFunctions } from "@alma-webhooks/local-aws/endpoint";
import { pointSdkAt } from "@alma-webhooks/local-aws/sdk-environment";
import { deployedPlugins } from "../../src/plugins.js";

/** The variables of a plugin's settings that name state machines. */
const stateMachineVariables = (plugin: WebhookPlugin): string[] =>
  Object.values(plugin.settings)
    .filter((spec) => spec.pattern === STATE_MACHINE_ARN_PATTERN)
    .map((spec) => spec.env);

export const SECRET = "itsasecret";
/** The test state machine of a plugin: `...:stateMachine:<name>-test`. */
const testArn = (name: string): string =>
  `arn:aws:states:us-east-1:123456789012:stateMachine:${name.toLowerCase()}-test`;
/** The three pipelines of the previous deployment, by name, then every other plugin of the list. */
export const ARNS: Readonly<Record<"PPOD" | "TIMDEX" | "BURSAR", string> & Record<string, string>> = {
  ...Object.fromEntries(deployedPlugins.map((plugin) => [plugin.name, testArn(plugin.name)])),
  PPOD: testArn("PPOD"),
  TIMDEX: testArn("TIMDEX"),
  BURSAR: testArn("BURSAR"),
};
export const JOBS = {
  PPOD: "Publishing Platform Job PPOD EXPORT to Dev1",
  TIMDEX_PREFIX: "Publishing Platform Job TIMDEX EXPORT to Dev1",
  BURSAR: "Export to bursar using profile Bursar Export to Dev1",
} as const;

/** The plugins of the list other than the previous deployment's three: those a plugin author added. */
export const ADDED_PLUGINS = deployedPlugins.filter(
  (plugin) => !["PPOD", "TIMDEX", "BURSAR"].includes(plugin.name),
);

/**
 * A complete, valid deployment environment for every pipeline of the list: the previous deployment's
 * variables for its three, and for any other plugin its settings' examples with its test state machine.
 */
export const VALID_ENV: Readonly<Record<string, string>> = {
  WORKSPACE: "dev",
  ALMA_CHALLENGE_SECRET: SECRET,
  ...Object.fromEntries(
    ADDED_PLUGINS.flatMap((plugin) => [
      ...Object.entries(exampleEnvironment(plugin)),
      ...stateMachineVariables(plugin).map((name) => [name, testArn(plugin.name)]),
    ]),
  ),
  ALMA_POD_EXPORT_JOB_NAME: JOBS.PPOD,
  PPOD_STATE_MACHINE_ARN: ARNS.PPOD,
  ALMA_TIMDEX_EXPORT_JOB_NAME_PREFIX: JOBS.TIMDEX_PREFIX,
  TIMDEX_STATE_MACHINE_ARN: ARNS.TIMDEX,
  ALMA_BURSAR_EXPORT_JOB_NAME: JOBS.BURSAR,
  BURSAR_STATE_MACHINE_ARN: ARNS.BURSAR,
  POWERTOOLS_LOG_LEVEL: "SILENT",
};

/**
 * Starts a local AWS endpoint (Step Functions, SQS, EventBridge, Secrets Manager, SSM) and points the real SDK at it the standard
 * way, through AWS_ENDPOINT_URL_SFN, _SQS and _EVENTBRIDGE; `stop` restores the process environment.
 */
export async function localStepFunctions(
  secrets: Readonly<Record<string, string | readonly string[]>> = {},
): Promise<{
  endpoint: LocalStepFunctions;
  stop: () => Promise<void>;
}> {
  const endpoint = await startLocalStepFunctions({ stateMachineArns: Object.values(ARNS), secrets });
  const restore = pointSdkAt(endpoint.url);
  return {
    endpoint,
    async stop() {
      restore();
      await endpoint.close();
    },
  };
}
