import { CliError } from "../cli/io.js";
import type { RedeliveryResult } from "./model.js";

/**
 * Asks a deployed function to redeliver kept webhooks: a Lambda Invoke (RequestResponse) of its redelivery
 * event `{"redeliver": {"ids": [...]}}` (contract C3), with the operator's own AWS credentials and the SDK's
 * usual settings (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL`). The function reads the bytes it kept and
 * routes them again under the same identity. The Lambda client loads with the first call.
 *
 * @param functionName the function as given, `NAME` or `NAME:QUALIFIER` (`NAME:live` behind a canary alias).
 * @throws CliError when the invoke fails, the function fails, or it answers something else than `{"results": [...]}`.
 * @example
 * ```ts
 * const { results } = await invokeRedeliver("alma-webhook-prod:live", ["a1b2c3d4"]);
 * ```
 */
export async function invokeRedeliver(
  functionName: string,
  ids: readonly string[],
): Promise<{ results: RedeliveryResult[] }> {
  const { InvokeCommand, LambdaClient } = await import("@aws-sdk/client-lambda");
  const client = new LambdaClient({});
  let text: string;
  try {
    const output = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: "RequestResponse",
        Payload: Buffer.from(JSON.stringify({ redeliver: { ids } })),
      }),
    );
    text = Buffer.from(output.Payload ?? new Uint8Array()).toString("utf8");
    if (output.FunctionError) throw new CliError(`The function ${functionName} failed: ${text}`);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(
      `Cannot invoke ${functionName}: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    client.destroy();
  }
  let results: unknown;
  try {
    results = (JSON.parse(text) as { results?: unknown } | null)?.results;
  } catch {
    results = undefined;
  }
  if (!Array.isArray(results)) {
    throw new CliError(`The function ${functionName} answered no redelivery results: ${text.slice(0, 300)}`);
  }
  return { results: results as RedeliveryResult[] };
}
