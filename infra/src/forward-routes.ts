import { aws_iam as iam } from "aws-cdk-lib";
import { InfraConfigurationError } from "./alma-webhooks.js";

// The ARN patterns are the function's own (@alma-webhooks/aws, compiled by `make compile`), read from its
// tsc output at run time, as lambda-bundle.ts reads the plugin list: one definition for both.
const ARN_MODULE = new URL("../../../packages/aws/dist/src/arn.js", import.meta.url).href;
const { EVENT_BUS_ARN_PATTERN, KMS_KEY_ARN_PATTERN, QUEUE_ARN_PATTERN, STATE_MACHINE_ARN_PATTERN } =
  (await import(ARN_MODULE)) as Record<
    "EVENT_BUS_ARN_PATTERN" | "KMS_KEY_ARN_PATTERN" | "QUEUE_ARN_PATTERN" | "STATE_MACHINE_ARN_PATTERN",
    string
  >;

/**
 * A forward route of the webhook (`ALMA_FORWARD_<ROUTE>_*` in the function's environment): the webhooks it
 * names go, as they are, to a queue, a bus or a state machine.
 */
export interface ForwardRoute {
  /** `<ROUTE>`: upper-case letters, digits and `_`. */
  readonly name: string;
  /** An SQS queue, EventBridge bus or Step Functions state machine ARN. */
  readonly target: string;
  /** `ACTION`, `ACTION:EVENT` or `JOB_END:<exact job name>`, comma-separated. */
  readonly events: string;
  /** Comma-separated institution codes; every institution when unset. */
  readonly institutions?: string;
  /**
   * The customer managed KMS key that encrypts the queue (SSE-KMS): the function may then generate data keys
   * with it and decrypt, as SQS requires of a sender. Not needed for SQS-managed encryption or for a bus.
   */
  readonly kmsKeyArn?: string;
}

const ROUTE_NAME = /^[A-Z0-9][A-Z0-9_]{0,31}$/;
const QUEUE = new RegExp(QUEUE_ARN_PATTERN);
const BUS = new RegExp(EVENT_BUS_ARN_PATTERN);
const STATE_MACHINE = new RegExp(STATE_MACHINE_ARN_PATTERN);
const KEY = new RegExp(KMS_KEY_ARN_PATTERN);

/** What the routes need of the function: its environment and what its role may do. */
export interface CheckedRoutes {
  readonly environment: Record<string, string>;
  readonly queueArns: readonly string[];
  readonly busArns: readonly string[];
  readonly stateMachineArns: readonly string[];
  readonly kmsKeyArns: readonly string[];
}

/**
 * Checks the routes at synth time (the function checks them again at cold start) and derives the function's
 * environment and the exact resources its role needs. Throws one error listing every problem.
 */
export function checkForwardRoutes(routes: readonly ForwardRoute[]): CheckedRoutes {
  const problems: string[] = [];
  const environment: Record<string, string> = {};
  const arns = {
    queue: new Set<string>(),
    bus: new Set<string>(),
    stateMachine: new Set<string>(),
    key: new Set<string>(),
  };
  const seen = new Set<string>();
  for (const route of routes) {
    const prefix = `ALMA_FORWARD_${route.name}_`;
    if (!ROUTE_NAME.test(route.name))
      problems.push(`route '${route.name}': a name is 1-32 upper-case letters, digits or '_'.`);
    if (seen.has(route.name)) problems.push(`route '${route.name}' is configured twice.`);
    seen.add(route.name);
    if (QUEUE.test(route.target)) arns.queue.add(route.target);
    else if (BUS.test(route.target)) arns.bus.add(route.target);
    else if (STATE_MACHINE.test(route.target)) arns.stateMachine.add(route.target);
    else
      problems.push(
        `${prefix}TARGET is not an SQS queue, EventBridge bus or state machine ARN (arn:aws:sqs:<region>:<account>:<queue>, arn:aws:events:<region>:<account>:event-bus/<bus>, arn:aws:states:<region>:<account>:stateMachine:<name>): '${route.target}'.`,
      );
    if (route.events.trim() === "") problems.push(`${prefix}EVENTS is empty: name what the route forwards.`);
    if (route.kmsKeyArn !== undefined) {
      if (!KEY.test(route.kmsKeyArn))
        problems.push(
          `${prefix}KMS_KEY_ARN is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>): '${route.kmsKeyArn}'.`,
        );
      else if (!QUEUE.test(route.target)) problems.push(`${prefix}KMS_KEY_ARN is for a queue target only.`);
      else arns.key.add(route.kmsKeyArn);
    }
    environment[`${prefix}TARGET`] = route.target;
    environment[`${prefix}EVENTS`] = route.events;
    if (route.institutions) environment[`${prefix}INSTITUTIONS`] = route.institutions;
  }
  if (problems.length > 0) {
    throw new InfraConfigurationError(`Invalid forward routes:\n- ${problems.join("\n- ")}`);
  }
  return {
    environment,
    queueArns: [...arns.queue],
    busArns: [...arns.bus],
    stateMachineArns: [...arns.stateMachine],
    kmsKeyArns: [...arns.key],
  };
}

/** `sqs:SendMessage` and `events:PutEvents` on exactly the routes' targets; KMS only on a configured key. */
export function allowForwarding(role: iam.Role, routes: CheckedRoutes): void {
  const statements: [string, string[], readonly string[]][] = [
    ["ForwardToQueues", ["sqs:SendMessage"], routes.queueArns],
    ["ForwardToEventBuses", ["events:PutEvents"], routes.busArns],
    ["EncryptForwardedMessages", ["kms:GenerateDataKey", "kms:Decrypt"], routes.kmsKeyArns],
  ];
  for (const [sid, actions, resources] of statements) {
    if (resources.length > 0) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ sid, actions, resources: [...resources] }));
    }
  }
}
