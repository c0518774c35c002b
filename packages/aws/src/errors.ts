import { AlmaWebhooksError } from "@alma-webhooks/core";

/**
 * An AWS call of a dispatch (Step Functions, SQS, EventBridge, S3, DynamoDB) did not finish inside the dispatch
 * budget (`DISPATCH_BUDGET.totalMs` for the whole dispatch, or the smaller share a follow-up call is given).
 * Transient: a later retry may succeed.
 *
 * @example
 * ```ts
 * throw new DispatchTimeoutError("StartExecution", 3000);
 * ```
 */
export class DispatchTimeoutError extends AlmaWebhooksError {
  /** Read by core's `isTransient`. */
  readonly transient = true;
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(`${operation}: no answer within ${timeoutMs} ms`);
  }
}

/**
 * A stored webhook secret (Secrets Manager or SSM) was not read inside `SECRET_READS.readMs`: the request
 * is answered 503 and the next one reads again.
 *
 * @example
 * ```ts
 * throw new SecretFetchTimeoutError("ssm /alma/webhook-secret was not read within 1200 ms");
 * ```
 */
export class SecretFetchTimeoutError extends AlmaWebhooksError {}

/**
 * A stored webhook secret was read but cannot be used: an empty value, JSON without the configured field, or
 * (in Lambda) the published development secret. A failed read: answered 503, and read again after
 * `SECRET_READS.intervalMs`.
 *
 * @example
 * ```ts
 * throw new UnusableSecretError("ssm /alma/webhook-secret holds an empty secret");
 * ```
 */
export class UnusableSecretError extends AlmaWebhooksError {}
