import { type LocalStepFunctions, startLocalStepFunctions } from "@alma-webhooks/local-aws/endpoint";

/** The state machines the endpoint knows, on AWS's documentation account. */
export const STATE_MACHINES = {
  BURSAR: "arn:aws:states:us-east-1:123456789012:stateMachine:bursar-test",
  PPOD: "arn:aws:states:us-east-1:123456789012:stateMachine:ppod-test",
} as const;
export const FIFO_QUEUE = "arn:aws:sqs:us-east-1:123456789012:alma-events.fifo";
export const STANDARD_QUEUE = "arn:aws:sqs:us-east-1:123456789012:alma-events";
export const BUS = "arn:aws:events:us-east-1:123456789012:event-bus/alma";

const SDK_VARIABLES = [
  "AWS_ENDPOINT_URL_SFN",
  "AWS_ENDPOINT_URL_SQS",
  "AWS_ENDPOINT_URL_EVENTBRIDGE",
  "AWS_ENDPOINT_URL_SECRETS_MANAGER",
  "AWS_ENDPOINT_URL_SSM",
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
] as const;

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
  const saved = Object.fromEntries(SDK_VARIABLES.map((name) => [name, process.env[name]]));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SFN: endpoint.url,
    AWS_ENDPOINT_URL_SQS: endpoint.url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint.url,
    AWS_ENDPOINT_URL_SSM: endpoint.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  });
  return {
    endpoint,
    async stop() {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await endpoint.close();
    },
  };
}
