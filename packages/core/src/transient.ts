// Which failures are worth a retry: one rule for every dispatcher, the ledger and the handlers.

interface SdkError {
  name?: string;
  code?: string;
  cause?: unknown;
  $fault?: string;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
}

/**
 * The names the AWS SDK's standard retry strategy treats as throttling (its `THROTTLING_ERROR_CODES`): the
 * one list of them, read by {@link isTransient} and by clients that retry as the SDK does.
 *
 * @example
 * ```ts
 * THROTTLING_NAMES.has("ThrottlingException"); // true
 * ```
 */
export const THROTTLING_NAMES: ReadonlySet<string> = new Set([
  "BandwidthLimitExceeded",
  "EC2ThrottledException",
  "LimitExceededException",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ThrottledException",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "TransactionInProgressException",
]);

/**
 * Error names that mean "not now, maybe later". The SDK's own throttling codes (the names its standard
 * retry strategy treats as throttling), Step Functions' throttling of the KMS key that encrypts the
 * execution data (and SQS's of a queue's key: `KmsThrottled`), the "unavailable" and timeout names, and one
 * quota:
 *
 * `ExecutionLimitExceeded` is Step Functions' limit of open (running) executions per account and region.
 * It is not a fault of this request: it clears as running executions end, so it is answered as transient
 * (503) and Alma's own retries, after 1 h, 3 h and 6 h, deliver the job again when there is room. A 500
 * would lose the event. Still logged at ERROR, so a limit that never clears is seen.
 */
const TRANSIENT_NAMES = new Set([
  ...THROTTLING_NAMES,
  "KmsThrottlingException",
  "KmsThrottled",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "InternalServerError",
  "InternalFailure",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "AbortError",
  "ExecutionLimitExceeded",
  // The AWS shell's own: a call that did not finish inside the dispatch budget or the webhook's deadline.
  "DispatchTimeoutError",
]);
/**
 * Node's codes for a connection that failed, was reset or timed out, as the AWS SDK's standard retry strategy
 * lists them (its timeout and network codes). {@link isTransient} reads them, and `ECONNABORTED` besides.
 *
 * @example
 * ```ts
 * NETWORK_ERROR_CODES.has("ECONNRESET"); // true
 * ```
 */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
const NETWORK_CODES = new Set([...NETWORK_ERROR_CODES, "ECONNABORTED"]);

/**
 * Whether a failure may be mended by a later try, so the webhook answers 503 and Alma retries: the one
 * predicate of the project (the AWS dispatchers, the ledger, the handlers of `createWebhooks`). An error
 * that says so itself (`transient: true`, as {@link TransientError}, or `transient: false`) decides for
 * itself. Otherwise transient: whatever the SDK itself marks retryable (`$retryable`, throttling included), HTTP
 * 429 and 5xx, the throttling, unavailable and timeout names above (`ThrottlingException`,
 * `KmsThrottlingException`, `ServiceUnavailable`, `TimeoutError`, `AbortError`, …), network resets and
 * timeouts (`ECONNRESET`, `ETIMEDOUT`, …, also as the `cause` of another error), the dispatch budget
 * running out, and the `ExecutionLimitExceeded` quota. Not transient: a bad ARN, missing permissions,
 * invalid input, a missing state machine.
 *
 * @example
 * ```ts
 * isTransient({ name: "ThrottlingException" }); // true
 * isTransient({ name: "Error", $metadata: { httpStatusCode: 429 } }); // true
 * isTransient({ name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } }); // false
 * ```
 */
export function isTransient(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== "object") return false;
  const { transient } = error as { transient?: unknown };
  if (typeof transient === "boolean") return transient;
  const { name = "", code = "", cause, $fault, $retryable, $metadata } = error as SdkError;
  const status = $metadata?.httpStatusCode ?? 0;
  return (
    $retryable !== undefined ||
    TRANSIENT_NAMES.has(name) ||
    status === 429 ||
    (status >= 500 && status <= 599) ||
    $fault === "server" ||
    NETWORK_CODES.has(code) ||
    (cause !== undefined && depth < 5 && isTransient(cause, depth + 1))
  );
}
