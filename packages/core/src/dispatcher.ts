/**
 * What the router asks a dispatcher to start.
 *
 * @example
 * ```ts
 * const request: ExecutionRequest = {
 *   plugin: "BURSAR",
 *   target: "arn:aws:states:us-east-1:123456789012:stateMachine:bursar",
 *   name: "bursar-20241106T144310-7019873450004761",
 *   input: JSON.stringify({ job_id: "7019873450004761" }),
 *   action: "JOB_END",
 * };
 * ```
 */
export interface ExecutionRequest {
  /** The plugin asking, for logs. */
  readonly plugin: string;
  /** The state machine ARN (or another dispatcher's target). */
  readonly target: string;
  /** Deterministic execution name: the idempotency key. */
  readonly name: string;
  /** The input, serialised as JSON: for a forward, the webhook payload itself. */
  readonly input: string;
  /** The webhook's `action` (`JOB_END`, `LOAN`, `BIB`…), always set by the router: an event bus's detail type. */
  readonly action?: string;
}

/**
 * How a start went. `duplicate` means the execution already exists: the job was handled before, and that
 * counts as success. `failed` is `transient` when a later retry may succeed (throttling, 5xx, timeout),
 * which the router answers 503 so that Alma retries; otherwise it answers 500.
 *
 * @example
 * ```ts
 * const started: DispatchResult = { status: "started", executionArn: "arn:aws:states:...:execution:bursar:..." };
 * const again: DispatchResult = { status: "duplicate" };
 * const throttled: DispatchResult = { status: "failed", transient: true, error: "ThrottlingException" };
 * ```
 */
export type DispatchResult =
  | {
      readonly status: "started";
      /** The execution's ARN; for a queue or a bus, the target's ARN. */
      readonly executionArn: string;
      /** For a queue or a bus: the id of the message or event sent. */
      readonly messageId?: string;
      /** The webhook was forwarded (to a queue or a bus), not a pipeline started: the answer says so. */
      readonly forwarded?: boolean;
    }
  | { readonly status: "duplicate"; readonly executionArn?: string; readonly forwarded?: boolean }
  | { readonly status: "failed"; readonly transient: boolean; readonly error: string }
  /**
   * The input is larger than the target takes (and there is nowhere to put it by reference): refused before
   * sending. Answered 413, never retried: a retry could only be refused again.
   */
  | {
      readonly status: "too-large";
      readonly size: number;
      readonly limit: number;
      readonly error: string;
    };

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
  /** Starts one execution and says how it went; resolves rather than rejects, even on failure. */
  start(request: ExecutionRequest): Promise<DispatchResult>;
}
