// The one place that knows what an AWS ARN looks like: every pattern (settings, the shell's configuration,
// the embedded endpoint and infra use them), every parse (which service a target is, a queue's URL, a bus's
// region) and every ARN built (an execution's, the embedded endpoint's queues, buses, secrets, parameters).
// `@alma-webhooks/aws/arn` exports all of it.
import type { SettingSpec } from "@alma-webhooks/core";

const PARTITION = "aws[a-z-]*";
const REGION = "[a-z0-9-]+";
const ACCOUNT = "[0-9]{12}";
/** Step Functions' rule for state machine and execution names. */
const STATE_MACHINE_NAME = "[A-Za-z0-9_-]{1,80}";

/**
 * Source of the pattern a Step Functions state machine ARN must match.
 *
 * @example
 * ```ts
 * new RegExp(STATE_MACHINE_ARN_PATTERN).test("arn:aws:states:us-east-1:123456789012:stateMachine:ppod"); // true
 * ```
 */
export const STATE_MACHINE_ARN_PATTERN = `^arn:${PARTITION}:states:${REGION}:${ACCOUNT}:stateMachine:${STATE_MACHINE_NAME}$`;

/**
 * SQS's rule for a queue name: up to 80 letters, digits, `-` and `_`, the `.fifo` of a FIFO queue included.
 */
const QUEUE_NAME = "[A-Za-z0-9_-]{1,80}|[A-Za-z0-9_-]{1,75}\\.fifo";

/**
 * Source of the pattern an SQS queue ARN must match (`.fifo` at the end of the name: a FIFO queue).
 *
 * @example
 * ```ts
 * new RegExp(QUEUE_ARN_PATTERN).test("arn:aws:sqs:us-east-1:123456789012:alma-events.fifo"); // true
 * ```
 */
export const QUEUE_ARN_PATTERN = `^arn:${PARTITION}:sqs:${REGION}:${ACCOUNT}:(?:${QUEUE_NAME})$`;

/**
 * Source of the pattern an EventBridge event bus ARN must match.
 *
 * @example
 * ```ts
 * new RegExp(EVENT_BUS_ARN_PATTERN).test("arn:aws:events:us-east-1:123456789012:event-bus/alma"); // true
 * ```
 */
export const EVENT_BUS_ARN_PATTERN = `^arn:${PARTITION}:events:${REGION}:${ACCOUNT}:event-bus/[A-Za-z0-9._/-]{1,256}$`;

/**
 * Source of the pattern a KMS key ARN must match (the key of an encrypted queue or bus, for infra's grants).
 *
 * @example
 * ```ts
 * new RegExp(KMS_KEY_ARN_PATTERN).test("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"); // true
 * ```
 */
export const KMS_KEY_ARN_PATTERN = `^arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:key/[A-Za-z0-9-]+$`;

/**
 * Source of the pattern a Step Functions execution ARN must match.
 *
 * @example
 * ```ts
 * new RegExp(EXECUTION_ARN_PATTERN).test("arn:aws:states:us-east-1:123456789012:execution:ppod:ppod-upload-1"); // true
 * ```
 */
export const EXECUTION_ARN_PATTERN = `^arn:${PARTITION}:states:${REGION}:${ACCOUNT}:execution:${STATE_MACHINE_NAME}:${STATE_MACHINE_NAME}$`;

/**
 * Source of the pattern a Secrets Manager secret ARN must match (`ALMA_CHALLENGE_SECRET_ARN`).
 *
 * @example
 * ```ts
 * new RegExp(SECRET_ARN_PATTERN).test("arn:aws:secretsmanager:us-east-1:123456789012:secret:alma-AbCdEf"); // true
 * ```
 */
export const SECRET_ARN_PATTERN = `^arn:${PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:[A-Za-z0-9/_+=.@-]{1,512}$`;

/**
 * Source of the pattern an SSM parameter must match, by its name (`/alma/secret`) or its ARN
 * (`ALMA_CHALLENGE_SECRET_PARAMETER`).
 *
 * @example
 * ```ts
 * new RegExp(PARAMETER_PATTERN).test("/alma/webhook-secret"); // true
 * ```
 */
export const PARAMETER_PATTERN = `^(?:arn:${PARTITION}:ssm:${REGION}:${ACCOUNT}:parameter)?\\/?[A-Za-z0-9_.\\-/]{1,2048}$`;

/**
 * What an ARN is made of (`arn:<partition>:<service>:<region>:<account>:<resource>`).
 *
 * @example
 * ```ts
 * const parts: ArnParts = { partition: "aws", service: "sqs", region: "us-east-1", account: "123456789012", resource: "alma" };
 * ```
 */
export interface ArnParts {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  /** Everything after the account: `stateMachine:ppod`, `event-bus/alma`, a queue's name. */
  readonly resource: string;
}

/**
 * The parts of an ARN, split as AWS writes them (the resource keeps its own `:` and `/`), without checking
 * the service's rules; `undefined` for anything that does not start `arn:` with five fields after it.
 *
 * @example
 * ```ts
 * arnParts("arn:aws:events:eu-west-1:123456789012:event-bus/alma")?.region; // "eu-west-1"
 * ```
 */
export function arnParts(arn: string): ArnParts | undefined {
  const [prefix, partition, service, region, account, ...resource] = arn.split(":");
  if (prefix !== "arn" || resource.length === 0) return undefined;
  return {
    partition: partition as string,
    service: service as string,
    region: region as string,
    account: account as string,
    resource: resource.join(":"),
  };
}

/**
 * The ARN of its parts (`partition` defaults to `aws`): the one way an ARN is built.
 *
 * @example
 * ```ts
 * formatArn({ service: "sqs", region: "us-east-1", account: "123456789012", resource: "alma.fifo" });
 * // "arn:aws:sqs:us-east-1:123456789012:alma.fifo"
 * ```
 */
export function formatArn(parts: Omit<ArnParts, "partition"> & { readonly partition?: string }): string {
  return `arn:${parts.partition ?? "aws"}:${parts.service}:${parts.region}:${parts.account}:${parts.resource}`;
}

/**
 * The queue an SQS ARN names, as `SendMessage` needs it: its region and URL, and whether it is FIFO.
 *
 * @example
 * ```ts
 * queueOf(
 *   "arn:aws:sqs:us-east-1:123456789012:alma.fifo",
 * ); // { region: "us-east-1", url: "https://sqs.us-east-1.amazonaws.com/123456789012/alma.fifo", fifo: true }
 * ```
 */
export function queueOf(arn: string): { region: string; url: string; fifo: boolean } | undefined {
  if (!QUEUE_ARN.test(arn)) return undefined;
  const { partition, region, account, resource: name } = arnParts(arn) as ArnParts;
  const domain = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  return { region, url: `https://sqs.${region}.${domain}/${account}/${name}`, fifo: name.endsWith(".fifo") };
}

const QUEUE_URL = new RegExp(`^https?://(?:sqs\\.(${REGION})\\.[^/]+|[^/]+)/(${ACCOUNT})/(${QUEUE_NAME})$`);

/**
 * The ARN of the queue a queue URL names (the URL of an endpoint that is not regional says `us-east-1`), or
 * `undefined` when it is not a queue URL: the inverse of {@link queueOf}, for the embedded endpoint.
 *
 * @example
 * ```ts
 * queueArnOfUrl("https://sqs.eu-west-1.amazonaws.com/123456789012/alma"); // "arn:aws:sqs:eu-west-1:123456789012:alma"
 * ```
 */
export function queueArnOfUrl(url: string): string | undefined {
  const match = QUEUE_URL.exec(url);
  if (!match) return undefined;
  const [, region = "us-east-1", account = "", name = ""] = match;
  return formatArn({ service: "sqs", region, account, resource: name });
}

/**
 * What a dispatch target is, by the kind of its ARN.
 *
 * @example
 * ```ts
 * const kind: TargetKind = targetKindOf(arn) ?? "state-machine";
 * ```
 */
export type TargetKind = "state-machine" | "queue" | "fifo-queue" | "event-bus";

const QUEUE_ARN = new RegExp(QUEUE_ARN_PATTERN);
const KINDS: readonly [TargetKind, RegExp][] = [
  ["state-machine", new RegExp(STATE_MACHINE_ARN_PATTERN)],
  ["queue", QUEUE_ARN],
  ["event-bus", new RegExp(EVENT_BUS_ARN_PATTERN)],
];

/**
 * The kind of a target ARN: a Step Functions state machine, an SQS queue (standard or FIFO) or an
 * EventBridge event bus; `undefined` for anything else.
 *
 * @example
 * ```ts
 * targetKindOf("arn:aws:sqs:us-east-1:123456789012:alma.fifo"); // "fifo-queue"
 * targetKindOf("arn:aws:events:us-east-1:123456789012:event-bus/alma"); // "event-bus"
 * ```
 */
export function targetKindOf(arn: string): TargetKind | undefined {
  const kind = KINDS.find(([, pattern]) => pattern.test(arn))?.[0];
  return kind === "queue" && arn.endsWith(".fifo") ? "fifo-queue" : kind;
}

/**
 * The service that receives what is sent to a target: anything that is no queue or bus goes to Step
 * Functions, which judges it (a malformed ARN is its permanent failure, as before).
 *
 * @example
 * ```ts
 * serviceOf("arn:aws:sqs:us-east-1:123456789012:alma.fifo"); // "sqs"
 * ```
 */
export function serviceOf(target: string): "step-functions" | "sqs" | "event-bus" {
  const kind = targetKindOf(target);
  if (kind === "queue" || kind === "fifo-queue") return "sqs";
  return kind === "event-bus" ? "event-bus" : "step-functions";
}

/**
 * Whether a target is a queue or a bus: what is sent there is forwarded, not a pipeline started.
 *
 * @example
 * ```ts
 * isForwardTarget("arn:aws:events:us-east-1:123456789012:event-bus/alma"); // true
 * ```
 */
export function isForwardTarget(arn: string): boolean {
  const kind = targetKindOf(arn);
  return kind !== undefined && kind !== "state-machine";
}

const STATE_MACHINE_ARN = new RegExp(
  `^arn:(${PARTITION}):states:(${REGION}):(${ACCOUNT}):stateMachine:(${STATE_MACHINE_NAME})$`,
);

/**
 * The ARN Step Functions gives the execution `name` of the (standard) state machine `stateMachineArn`, or
 * `undefined` when `stateMachineArn` is not a well-formed state machine ARN.
 *
 * @example
 * ```ts
 * executionArnFor("arn:aws:states:us-east-1:123456789012:stateMachine:ppod", "ppod-upload-1");
 * // "arn:aws:states:us-east-1:123456789012:execution:ppod:ppod-upload-1"
 * ```
 */
export function executionArnFor(stateMachineArn: string, name: string): string | undefined {
  const match = STATE_MACHINE_ARN.exec(stateMachineArn);
  if (!match) return undefined;
  const [, partition, region, account, stateMachineName] = match;
  return `arn:${partition}:states:${region}:${account}:execution:${stateMachineName}:${name}`;
}

/**
 * Declares a setting that holds a Step Functions state machine ARN, validated as one.
 *
 * @example
 * ```ts
 * stepFunctionsJobPlugin({ ..., stateMachineArn: stateMachineArnSetting("PPOD_ARN", "ARN of the POD upload") });
 * ```
 */
export function stateMachineArnSetting(
  env: string,
  description = "ARN of the state machine to start",
): SettingSpec {
  return {
    env,
    description,
    pattern: STATE_MACHINE_ARN_PATTERN,
    patternHint: "a Step Functions state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)",
    example: "arn:aws:states:us-east-1:123456789012:stateMachine:example",
  };
}

/**
 * Declares a setting that holds a dispatch target ARN: a Step Functions state machine, an SQS queue or an
 * EventBridge event bus. The dispatcher picks the service by the kind of ARN.
 *
 * @example
 * ```ts
 * forwardPlugin({ name: "LOANS", events: ["LOAN"], target: targetArnSetting("LOANS_QUEUE_ARN") });
 * ```
 */
export function targetArnSetting(
  env: string,
  description = "ARN of the queue, bus or state machine",
): SettingSpec {
  return {
    env,
    description,
    pattern: `${STATE_MACHINE_ARN_PATTERN}|${QUEUE_ARN_PATTERN}|${EVENT_BUS_ARN_PATTERN}`,
    patternHint:
      "an SQS queue, EventBridge event bus or Step Functions state machine ARN (arn:aws:sqs:<region>:<account>:<queue>, arn:aws:events:<region>:<account>:event-bus/<bus>, arn:aws:states:…)",
    example: "arn:aws:sqs:us-east-1:123456789012:alma-events.fifo",
  };
}
