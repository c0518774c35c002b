/** What the router asks a dispatcher to start. */
export interface ExecutionRequest {
  /** The plugin asking, for logs. */
  readonly plugin: string;
  /** The state machine ARN (or another dispatcher's target). */
  readonly target: string;
  /** Deterministic execution name: the idempotency key. */
  readonly name: string;
  /** The input, serialised as JSON. */
  readonly input: string;
}

/**
 * How a start went. `duplicate` means the execution already exists: the job was handled before, and that
 * counts as success. `failed` is `transient` when a later retry may succeed (throttling, 5xx, timeout),
 * which the router answers 503 so that Alma retries; otherwise it answers 500.
 */
export type DispatchResult =
  | { readonly status: "started"; readonly executionArn: string }
  | { readonly status: "duplicate"; readonly executionArn?: string }
  | { readonly status: "failed"; readonly transient: boolean; readonly error: string };

/**
 * Starts executions. The Lambda shell's implementation calls Step Functions' StartExecution; another
 * service can start anything else. A dispatcher should not throw: the router treats a throw as a
 * permanent failure.
 *
 * @example
 * ```ts
 * const dispatcher: ExecutionDispatcher = {
 *   async start({ target, name, input }) {
 *     await queue.send({ target, name, input });
 *     return { status: "started", executionArn: `${target}:${name}` };
 *   },
 * };
 * ```
 */
export interface ExecutionDispatcher {
  start(request: ExecutionRequest): Promise<DispatchResult>;
}
