/** The standard SDK settings {@link pointSdkAt} sets in this process (and restores). */
const SDK_VARIABLES = {
  AWS_ENDPOINT_URL_SFN: "url",
  AWS_ENDPOINT_URL_SQS: "url",
  AWS_ENDPOINT_URL_EVENTBRIDGE: "url",
  AWS_ENDPOINT_URL_SECRETS_MANAGER: "url",
  AWS_ENDPOINT_URL_SSM: "url",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  // No shared config or credentials file: the developer's own (a profile's region, endpoint or retries)
  // would change what the SDK, and which Step Functions client, the tests run.
  AWS_CONFIG_FILE: "/nonexistent/alma-webhooks/aws-config",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/alma-webhooks/aws-credentials",
} as const;

/**
 * Points the real AWS SDK of this process at a local endpoint the standard way
 * (`AWS_ENDPOINT_URL_<SERVICE>` for Step Functions, SQS, EventBridge, Secrets Manager and SSM, a region and
 * test credentials), for tests that run the SDK in-process. Returns what puts the environment back as it was.
 *
 * @example
 * ```ts
 * const endpoint = await startLocalStepFunctions({ stateMachineArns: [arn] });
 * const restore = pointSdkAt(endpoint.url);
 * // … the SDK's clients now call the endpoint …
 * restore();
 * ```
 */
export function pointSdkAt(url: string): () => void {
  const names = Object.keys(SDK_VARIABLES) as (keyof typeof SDK_VARIABLES)[];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  for (const name of names) process.env[name] = SDK_VARIABLES[name] === "url" ? url : SDK_VARIABLES[name];
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
