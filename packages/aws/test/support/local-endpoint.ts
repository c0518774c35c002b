import { type LocalStepFunctions, startLocalStepFunctions } from "@alma-webhooks/local-aws/endpoint";
import { pointSdkAt } from "@alma-webhooks/local-aws/sdk-environment";

/** The state machines the endpoint knows, on AWS's documentation account. */
export const STATE_MACHINES = {
  BURSAR: "arn:aws:states:us-east-1:123456789012:stateMachine:bursar-test",
  PPOD: "arn:aws:states:us-east-1:123456789012:stateMachine:ppod-test",
} as const;
export const FIFO_QUEUE = "arn:aws:sqs:us-east-1:123456789012:alma-events.fifo";
export const STANDARD_QUEUE = "arn:aws:sqs:us-east-1:123456789012:alma-events";
export const BUS = "arn:aws:events:us-east-1:123456789012:event-bus/alma";

/**
 * The embedded AWS endpoint of `@alma-webhooks/local-aws`, with the real SDK pointed at it the standard way
 * (`AWS_ENDPOINT_URL_<SERVICE>`); `stop` closes it and restores the process environment.
 */
export async function localEndpoint(
  secrets: Readonly<Record<string, string | readonly string[]>> = {},
): Promise<{ endpoint: LocalStepFunctions; stop: () => Promise<void> }> {
  const endpoint = await startLocalStepFunctions({
    stateMachineArns: Object.values(STATE_MACHINES),
    secrets,
  });
  const restore = pointSdkAt(endpoint.url);
  return {
    endpoint,
    async stop() {
      restore();
      await endpoint.close();
    },
  };
}
