/**
 * Base class of every error that the Lambda shell (`@alma-webhooks/lambda`) throws or reports on purpose.
 * Its `name` is the subclass's own name (kept in the bundle: terser runs with `keep_classnames`), so a log
 * line or a Sentry issue says what went wrong; the message says what to do about it.
 *
 * Core's errors have their own base, `AlmaWebhooksError` in `@alma-webhooks/core`: the shell's are kept
 * apart so that a catch can tell a fault of the deployment (AWS, configuration, local tooling) from one
 * of the router.
 *
 * @example
 * ```ts
 * export class BucketMissingError extends AlmaWebhooksShellError {
 *   constructor(readonly bucket: string) {
 *     super(`Bucket ${bucket} does not exist: create it or fix ALMA_BUCKET.`);
 *   }
 * }
 *
 * try {
 *   await work();
 * } catch (error) {
 *   if (error instanceof AlmaWebhooksShellError) logger.error(error.name, { error });
 * }
 * ```
 */
export class AlmaWebhooksShellError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A Step Functions call did not finish inside the dispatch budget (`DISPATCH_BUDGET.totalMs` for the
 * whole dispatch, or the smaller share a follow-up call is given). Transient: a later retry may succeed.
 *
 * @example
 * ```ts
 * throw new DispatchTimeoutError("StartExecution", 3000);
 * ```
 */
export class DispatchTimeoutError extends AlmaWebhooksShellError {
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
export class SecretFetchTimeoutError extends AlmaWebhooksShellError {}
