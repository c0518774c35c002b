import { AlmaWebhooksError } from "@alma-webhooks/core";

/**
 * A Step Functions call did not finish inside the dispatch budget (`DISPATCH_BUDGET.totalMs` for the
 * whole dispatch, or the smaller share a follow-up call is given). Transient: a later retry may succeed.
 *
 * @example
 * ```ts
 * throw new DispatchTimeoutError("StartExecution", 3000);
 * ```
 */
export class DispatchTimeoutError extends AlmaWebhooksError {
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
