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
