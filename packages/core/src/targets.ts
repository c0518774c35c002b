import type { SettingSpec } from "./plugin/contract.js";
import { STATE_MACHINE_ARN_PATTERN } from "./step-functions.js";

/**
 * Source of the pattern an SQS queue ARN must match (`.fifo` at the end of the name: a FIFO queue).
 *
 * @example
 * ```ts
 * new RegExp(QUEUE_ARN_PATTERN).test("arn:aws:sqs:us-east-1:123456789012:alma-events.fifo"); // true
 * ```
 */
export const QUEUE_ARN_PATTERN = "^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,75}(\\.fifo)?$";

/**
 * Source of the pattern an EventBridge event bus ARN must match.
 *
 * @example
 * ```ts
 * new RegExp(EVENT_BUS_ARN_PATTERN).test("arn:aws:events:us-east-1:123456789012:event-bus/alma"); // true
 * ```
 */
export const EVENT_BUS_ARN_PATTERN =
  "^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[A-Za-z0-9._/-]{1,256}$";

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
 * EventBridge event bus; `undefined` for anything else (a custom dispatcher's own target).
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
 * Whether a target is a queue or a bus: what is sent there is forwarded, not a pipeline started, and the
 * answer says so ("LOANS forwarded.").
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

/**
 * Declares a setting that holds a dispatch target ARN: a Step Functions state machine, an SQS queue or an
 * EventBridge event bus. The Lambda shell picks the service by the kind of ARN.
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
