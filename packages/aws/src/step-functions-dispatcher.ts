// `@alma-webhooks/aws/step-functions`: the Step Functions dispatcher, and an SDK client made with the
// dispatch budget's settings.
import { SFNClient } from "@aws-sdk/client-sfn";
import { BUDGETED_CLIENT } from "./deadline.js";

export { type StepFunctionsCalls, stepFunctionsCalls } from "./step-functions-calls.js";
export { StepFunctionsDispatcher } from "./step-functions-executions.js";

/**
 * The Step Functions client: one per cold start, so connections are reused. Region, credentials and
 * endpoint come from the standard SDK settings (`AWS_REGION`, the credentials chain,
 * `AWS_ENDPOINT_URL_SFN`).
 *
 * @example
 * ```ts
 * const client = createStepFunctionsClient();
 * ```
 */
export function createStepFunctionsClient(): SFNClient {
  return new SFNClient(BUDGETED_CLIENT);
}
