const STATE_MACHINE_ARN = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):stateMachine:([^:\s]{1,80})$/;

/**
 * The ARN Step Functions gives the execution `name` of the (standard) state machine `stateMachineArn`, or
 * `undefined` when `stateMachineArn` is not a well-formed state machine ARN. The one place execution ARNs are
 * built: the Step Functions dispatcher, the local endpoint and the recording dispatcher all use it.
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
