import { InfraConfigurationError, type PluginDescription } from "./alma-webhooks.js";
import type { ForwardRoute } from "./forward-routes.js";

/** What the app deploys, read from environment variables or CDK context (`--context NAME=value`). */
export interface InfraConfiguration {
  readonly workspace: string;
  readonly stackName: string;
  readonly challengeSecretName: string;
  readonly challengeSecretJsonField?: string;
  readonly previousChallengeSecretName?: string;
  readonly settings: Record<string, string>;
  /** From `ALMA_FORWARD_<ROUTE>_TARGET`, `_EVENTS`, `_INSTITUTIONS` and `_KMS_KEY_ARN` (infra only). */
  readonly forwardRoutes: readonly ForwardRoute[];
  readonly sentryDsn?: string;
  readonly functionName?: string;
  readonly metricsNamespace?: string;
  readonly serviceName?: string;
  readonly alarmTopicArn?: string;
  /** `ALMA_RESERVED_CONCURRENCY`: a whole number, or `none`; the construct's default when unset. */
  readonly reservedConcurrency?: number | "none";
  /** `ALMA_LEDGER`: the delivery ledger table (default on). */
  readonly ledger: boolean;
  /** `ALMA_LARGE_PAYLOAD_BUCKET`: the large-payload bucket (default off). */
  readonly largePayloadBucket: boolean;
  /** The settings that were not given and hold a plugin's example value instead. */
  readonly placeholders: readonly string[];
}

/** The app's own variables, with what they mean (the plugins' settings come on top). */
export const INFRA_VARIABLES = {
  WORKSPACE: "dev, stage or prod (default dev)",
  ALMA_STACK_NAME: "CloudFormation stack name (default AlmaWebhooks-<WORKSPACE>)",
  ALMA_CHALLENGE_SECRET_NAME:
    "name of the Secrets Manager secret holding the webhook secret (default alma-webhooks/<WORKSPACE>/challenge-secret while examples are on)",
  ALMA_PREVIOUS_CHALLENGE_SECRET_NAME:
    "during a rotation, the secret holding the previous webhook secret, still accepted (optional)",
  ALMA_CHALLENGE_SECRET_JSON_FIELD:
    "a JSON key of that secret to read instead of the whole string (optional)",
  SENTRY_DSN: "Sentry DSN (optional)",
  ALMA_WEBHOOK_FUNCTION_NAME: "name of the webhook function (optional; CloudFormation names it otherwise)",
  POWERTOOLS_METRICS_NAMESPACE: "metrics namespace (default AlmaWebhooks)",
  POWERTOOLS_SERVICE_NAME: "metrics service dimension (default alma-webhooks)",
  ALARM_TOPIC_ARN: "SNS topic the alarms notify (optional)",
  ALMA_RESERVED_CONCURRENCY:
    "reserved concurrency of the webhook function, or none (the default: a throttled URL answers 429, which Alma never retries)",
  "ALMA_FORWARD_<ROUTE>_TARGET, _EVENTS, _INSTITUTIONS":
    "a forward route, as the function reads it (optional; any number); _KMS_KEY_ARN: the key of an SSE-KMS queue",
  ALMA_LEDGER: "on (default): the delivery ledger, a DynamoDB table (ALMA_IDEMPOTENCY_TABLE); off: none",
  ALMA_LARGE_PAYLOAD_BUCKET:
    "on: an S3 bucket for bodies too large for a target (the function's ALMA_LARGE_PAYLOAD_BUCKET); off (default): none",
  ALMA_INFRA_EXAMPLES:
    "on (default): a plugin setting that is not set takes the plugin's example value; off: it stays unset",
} as const;

/** Looks a name up in CDK context first, then in the environment. */
export type Lookup = (name: string) => string | undefined;

/**
 * Reads the deployment's configuration. With examples on (the default, so that `make infra-synth` works
 * with nothing set), every plugin setting that is not set takes its plugin's example value; a setting set
 * to an empty string stays off. With `ALMA_INFRA_EXAMPLES=off` (what the deploy targets use) nothing is
 * made up: the secret name is required and unset settings stay unset.
 */
export function readConfiguration(
  lookup: Lookup,
  plugins: readonly PluginDescription[],
  names: readonly string[] = [],
): InfraConfiguration {
  const read = (name: string): string | undefined => {
    const value = lookup(name)?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const onOff = (name: string, byDefault: "on" | "off"): boolean => {
    const value = (read(name) ?? byDefault).toLowerCase();
    if (value !== "on" && value !== "off") {
      throw new InfraConfigurationError(`${name} must be 'on' or 'off', not '${value}'.`);
    }
    return value === "on";
  };
  const examples = onOff("ALMA_INFRA_EXAMPLES", "on");
  const workspace = read("WORKSPACE") ?? "dev";
  const challengeSecretName =
    read("ALMA_CHALLENGE_SECRET_NAME") ??
    (examples ? `alma-webhooks/${workspace}/challenge-secret` : undefined);
  if (challengeSecretName === undefined) {
    throw new InfraConfigurationError(
      "ALMA_CHALLENGE_SECRET_NAME is not set: name the Secrets Manager secret that holds the webhook secret.",
    );
  }
  const settings: Record<string, string> = {};
  const placeholders: string[] = [];
  for (const plugin of plugins) {
    for (const spec of Object.values(plugin.settings)) {
      const given = lookup(spec.env);
      if (given !== undefined) {
        if (given.trim() !== "") settings[spec.env] = given.trim();
      } else if (examples && spec.example !== undefined) {
        settings[spec.env] = spec.example;
        placeholders.push(spec.env);
      }
    }
  }
  const optional = (key: keyof InfraConfiguration, name: string) => {
    const value = read(name);
    return value === undefined ? {} : { [key]: value };
  };
  return {
    workspace,
    stackName: read("ALMA_STACK_NAME") ?? `AlmaWebhooks-${workspace}`,
    challengeSecretName,
    ...optional("challengeSecretJsonField", "ALMA_CHALLENGE_SECRET_JSON_FIELD"),
    ...optional("previousChallengeSecretName", "ALMA_PREVIOUS_CHALLENGE_SECRET_NAME"),
    settings,
    forwardRoutes: forwardRoutesOf(names, read),
    ...optional("sentryDsn", "SENTRY_DSN"),
    ...optional("functionName", "ALMA_WEBHOOK_FUNCTION_NAME"),
    ...optional("metricsNamespace", "POWERTOOLS_METRICS_NAMESPACE"),
    ...optional("serviceName", "POWERTOOLS_SERVICE_NAME"),
    ...optional("alarmTopicArn", "ALARM_TOPIC_ARN"),
    ...reservedConcurrencyOf(read("ALMA_RESERVED_CONCURRENCY")),
    ledger: onOff("ALMA_LEDGER", "on"),
    largePayloadBucket: onOff("ALMA_LARGE_PAYLOAD_BUCKET", "off"),
    placeholders,
  };
}

function reservedConcurrencyOf(value: string | undefined): { reservedConcurrency?: number | "none" } {
  if (value === undefined) return {};
  if (value.toLowerCase() === "none") return { reservedConcurrency: "none" };
  if (!/^[1-9][0-9]{0,4}$/.test(value)) {
    throw new InfraConfigurationError(
      `ALMA_RESERVED_CONCURRENCY is not a whole number of at least 1, or none: '${value}'.`,
    );
  }
  return { reservedConcurrency: Number(value) };
}

/** The routes named by `ALMA_FORWARD_<ROUTE>_TARGET` among `names` (the environment's and context's keys). */
function forwardRoutesOf(
  names: readonly string[],
  read: (name: string) => string | undefined,
): ForwardRoute[] {
  const routes = new Set(
    names.flatMap((name) => /^ALMA_FORWARD_([A-Z0-9_]+)_TARGET$/.exec(name)?.slice(1) ?? []),
  );
  return [...routes].sort().flatMap((name) => {
    const target = read(`ALMA_FORWARD_${name}_TARGET`);
    if (target === undefined) return [];
    const institutions = read(`ALMA_FORWARD_${name}_INSTITUTIONS`);
    const kmsKeyArn = read(`ALMA_FORWARD_${name}_KMS_KEY_ARN`);
    return [
      {
        name,
        target,
        events: read(`ALMA_FORWARD_${name}_EVENTS`) ?? "",
        ...(institutions ? { institutions } : {}),
        ...(kmsKeyArn ? { kmsKeyArn } : {}),
      },
    ];
  });
}
