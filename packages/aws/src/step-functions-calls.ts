import type { SFNClient } from "@aws-sdk/client-sfn";
import { type AwsJsonClient, type AwsJsonService, awsJsonClientFromEnvironment } from "./aws-json-client.js";
import { BUDGETED_CLIENT } from "./deadline.js";

/** Step Functions on the wire: JSON 1.0, signed as `states`, `AWS_ENDPOINT_URL_SFN`. */
export const STEP_FUNCTIONS: AwsJsonService = Object.freeze({
  signingName: "states",
  endpointPrefix: "states",
  targetPrefix: "AWSStepFunctions",
  endpointVariable: "SFN",
});

/** The three Step Functions calls a dispatcher makes, with the fields it reads of their answers. */
export interface StepFunctionsCalls {
  startExecution(
    input: { stateMachineArn: string; name: string; input: string },
    abortSignal: AbortSignal,
  ): Promise<{ executionArn?: string }>;
  describeExecution(
    input: { executionArn: string },
    abortSignal: AbortSignal,
  ): Promise<{ executionArn?: string; input?: string; status?: string }>;
  describeStateMachine(
    input: { stateMachineArn: string },
    abortSignal: AbortSignal,
  ): Promise<{ type?: string }>;
  /** Closes the connections (tests). */
  destroy?(): void;
}

/**
 * The calls through an SDK client (made with BUDGETED_CLIENT when none is given). The SDK is imported on
 * the first call, not before.
 *
 * @example
 * ```ts
 * const calls = sdkStepFunctionsCalls(new SFNClient({ region: "us-east-1" }));
 * ```
 */
export function sdkStepFunctionsCalls(given?: SFNClient): StepFunctionsCalls {
  let loading: Promise<{ sfn: typeof import("@aws-sdk/client-sfn"); client: SFNClient }> | undefined;
  let client = given;
  const load = () => {
    loading ??= import("@aws-sdk/client-sfn").then(
      (sfn) => {
        client ??= new sfn.SFNClient(BUDGETED_CLIENT);
        return { sfn, client };
      },
      (error: unknown) => {
        loading = undefined; // Not kept: the next call tries again.
        throw error;
      },
    );
    return loading;
  };
  return {
    async startExecution(input, abortSignal) {
      const { sfn, client } = await load();
      return client.send(new sfn.StartExecutionCommand(input), { abortSignal });
    },
    async describeExecution(input, abortSignal) {
      const { sfn, client } = await load();
      return client.send(new sfn.DescribeExecutionCommand(input), { abortSignal });
    },
    async describeStateMachine(input, abortSignal) {
      const { sfn, client } = await load();
      return client.send(new sfn.DescribeStateMachineCommand(input), { abortSignal });
    },
    destroy: () => client?.destroy(),
  };
}

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** The calls over a JSON 1.0 client. */
function wireStepFunctionsCalls(client: AwsJsonClient): StepFunctionsCalls {
  return {
    async startExecution(input, abortSignal) {
      const output = await client.call("StartExecution", input, abortSignal);
      return { executionArn: text(output.executionArn) };
    },
    async describeExecution(input, abortSignal) {
      const output = await client.call("DescribeExecution", input, abortSignal);
      return {
        executionArn: text(output.executionArn),
        input: text(output.input),
        status: text(output.status),
      };
    },
    async describeStateMachine(input, abortSignal) {
      const output = await client.call("DescribeStateMachine", input, abortSignal);
      return { type: text(output.type) };
    },
    destroy: () => client.destroy(),
  };
}

/**
 * The Step Functions calls of a cold start: over the small JSON 1.0 client when the environment holds all
 * the settings (Lambda's does: credentials, region, perhaps `AWS_ENDPOINT_URL_SFN`), which spares the first
 * dispatch the SDK's loading; through the SDK otherwise (a profile, a config file, FIPS…).
 *
 * @example
 * ```ts
 * const dispatcher = new StepFunctionsDispatcher(stepFunctionsCalls(), logger, systemClock);
 * ```
 */
export function stepFunctionsCalls(
  env: NodeJS.ProcessEnv = process.env,
  now: () => number = Date.now,
): StepFunctionsCalls {
  const wire = awsJsonClientFromEnvironment(STEP_FUNCTIONS, env, now);
  return wire ? wireStepFunctionsCalls(wire) : sdkStepFunctionsCalls();
}
