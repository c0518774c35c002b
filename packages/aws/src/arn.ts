// The one place that knows what an AWS ARN of a dispatch target looks like: the patterns (settings, the
// embedded endpoint and infra use them), which service an ARN names, and the ARN of an execution.
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
 * Source of the pattern an SQS queue ARN must match (`.fifo` at the end of the name: a FIFO queue).
 *
 * @example
 * ```ts
 * new RegExp(QUEUE_ARN_PATTERN).test("arn:aws:sqs:us-east-1:123456789012:alma-events.fifo"); // true
 * ```
 */
export const QUEUE_ARN_PATTERN = `^arn:${PARTITION}:sqs:${REGION}:${ACCOUNT}:[A-Za-z0-9_-]{1,75}(\\.fifo)?$`;

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
 * What a dispatch target is, by the kind of its ARN.
 *
 * @example
 * ```ts
 * const kind: TargetKind = targetKindOf(arn) ?? "state-machine";
 * ```
 */
export type TargetKind = "state-machine" | "queue" | "fifo-queue" | "event-bus";

const KINDS: readonly [TargetKind, RegExp][] = [
  ["state-machine", new RegExp(STATE_MACHINE_ARN_PATTERN)],
  ["queue", new RegExp(QUEUE_ARN_PATTERN)],
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
