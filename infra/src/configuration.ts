import { InfraConfigurationError, type PluginDescription } from "./alma-webhooks.js";
import type { ForwardRoute } from "./forward-routes.js";
import { DEFAULT_RELEASE, RELEASES, type ReleaseName } from "./release.js";

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
  /** `ALMA_UNDELIVERED_BUCKET`: the bucket that keeps the bytes of webhooks not delivered (default on). */
  readonly undeliveredBucket: boolean;
  /** `ALMA_UNDELIVERED_RETENTION_DAYS`: how long those bytes are kept (the construct's default, 30, when unset). */
  readonly undeliveredRetentionDays?: number;
  /** `ALMA_MEMORY_MB`: the webhook function's memory (the construct's default when unset). */
  readonly memoryMb?: number;
  /** `ALMA_RELEASE`: how a new version takes the traffic of the `live` alias (default {@link DEFAULT_RELEASE}). */
  readonly release: ReleaseName;
  /** `ALARM_EMAIL`: an address the stack subscribes to a topic of its own for the alarms (optional). */
  readonly alarmEmail?: string;
  /** `ALMA_ROLLBACK_SIGNATURE_FAILURES`: signature failures in one minute that roll a release back. */
  readonly rollbackSignatureFailures?: number;
  /** `ALMA_INTENTIONALLY_EMPTY=true`: a stage with no plugin and no route on is meant to be so. */
  readonly intentionallyEmpty: boolean;
  /** `AWS_REGION` of a stage file: where the stack goes (the CDK CLI's region otherwise). */
  readonly region?: string;
  /** The function's own optional limits, passed through as set: `ALMA_WEBHOOK_MAX_BODY_BYTES`, `ALMA_WEBHOOK_MAX_EVENT_AGE`. */
  readonly functionLimits: Readonly<Record<string, string>>;
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
  ALMA_UNDELIVERED_BUCKET:
    "on (default): an S3 bucket that keeps the bytes of webhooks not delivered (the function's ALMA_UNDELIVERED_BUCKET); off: none",
  ALMA_UNDELIVERED_RETENTION_DAYS: "days the undelivered bucket keeps an object (default 30)",
  ALMA_MEMORY_MB: "memory of the webhook function in MB, 128 to 10240 (default 512)",
  ALMA_RELEASE: `how a new version takes the live alias's traffic: ${Object.keys(RELEASES).join(", ")} (default ${DEFAULT_RELEASE}; all-at-once is refused for prod)`,
  ALARM_EMAIL: "an e-mail address the alarms notify, through a topic the stack creates (optional)",
  ALMA_ROLLBACK_SIGNATURE_FAILURES:
    "signature failures (401) in one minute that roll a release back (default 5)",
  ALMA_INTENTIONALLY_EMPTY:
    "true: a stage with no plugin and no route on is deployed anyway (default false: it is refused)",
  AWS_REGION: "in a stage file: the region the stack is deployed to (default: the AWS CLI's)",
} as const;

/** The function's optional limits a stage may set; the stack passes them through unchanged. */
export const FUNCTION_LIMITS = ["ALMA_WEBHOOK_MAX_BODY_BYTES", "ALMA_WEBHOOK_MAX_EVENT_AGE"] as const;

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
    ...shaped(
      read,
      "alarmTopicArn",
      "ALARM_TOPIC_ARN",
      SNS_TOPIC_ARN,
      "an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)",
    ),
    ...reservedConcurrencyOf(read("ALMA_RESERVED_CONCURRENCY")),
    ledger: onOff("ALMA_LEDGER", "on"),
    largePayloadBucket: onOff("ALMA_LARGE_PAYLOAD_BUCKET", "off"),
    undeliveredBucket: onOff("ALMA_UNDELIVERED_BUCKET", "on"),
    ...wholeNumber(read, "undeliveredRetentionDays", "ALMA_UNDELIVERED_RETENTION_DAYS", 1, 3650),
    ...wholeNumber(read, "memoryMb", "ALMA_MEMORY_MB", 128, 10240),
    release: releaseOf(read("ALMA_RELEASE"), workspace),
    ...shaped(read, "alarmEmail", "ALARM_EMAIL", EMAIL, "an e-mail address (ops@example.org)"),
    ...wholeNumber(read, "rollbackSignatureFailures", "ALMA_ROLLBACK_SIGNATURE_FAILURES", 1, 100000),
    intentionallyEmpty: trueFalse(read("ALMA_INTENTIONALLY_EMPTY")),
    ...optional("region", "AWS_REGION"),
    functionLimits: Object.fromEntries(
      FUNCTION_LIMITS.flatMap((name) => {
        const value = read(name);
        return value === undefined ? [] : [[name, value]];
      }),
    ),
    placeholders,
  };
}

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function shaped<K extends string>(
  read: (name: string) => string | undefined,
  key: K,
  name: string,
  pattern: RegExp,
  shape: string,
): { [key in K]?: string } {
  const value = read(name);
  if (value === undefined) return {};
  if (!pattern.test(value)) throw new InfraConfigurationError(`${name} is not ${shape}: '${value}'.`);
  return { [key]: value } as { [key in K]?: string };
}

function wholeNumber<K extends string>(
  read: (name: string) => string | undefined,
  key: K,
  name: string,
  min: number,
  max: number,
): { [key in K]?: number } {
  const value = read(name);
  if (value === undefined) return {};
  if (!/^[0-9]{1,6}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InfraConfigurationError(`${name} is not a whole number from ${min} to ${max}: '${value}'.`);
  }
  return { [key]: Number(value) } as { [key in K]?: number };
}

function trueFalse(value: string | undefined): boolean {
  const given = (value ?? "false").toLowerCase();
  if (given !== "true" && given !== "false") {
    throw new InfraConfigurationError(`ALMA_INTENTIONALLY_EMPTY must be 'true' or 'false', not '${value}'.`);
  }
  return given === "true";
}

function releaseOf(value: string | undefined, workspace: string): ReleaseName {
  const name = (value ?? DEFAULT_RELEASE).toLowerCase();
  if (!Object.hasOwn(RELEASES, name)) {
    throw new InfraConfigurationError(
      `ALMA_RELEASE is not one of ${Object.keys(RELEASES).join(", ")}: '${value}'.`,
    );
  }
  if (name === "all-at-once" && workspace.toLowerCase() === "prod") {
    throw new InfraConfigurationError(
      "ALMA_RELEASE=all-at-once is refused for prod: a release that answers 4xx would lose every webhook sent to it before an alarm could roll it back. Use a canary (canary-10-5) or a linear release.",
    );
  }
  return name as ReleaseName;
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
