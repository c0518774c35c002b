import type { BodyBytes } from "./bytes.js";
import type { WebhookPayload } from "./payload/types.js";

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
  /** Where it goes: the plugin's target (a pipeline, a queue, a bus, a handler), as the dispatcher understands it. */
  readonly target: string;
  /** Deterministic execution name: the idempotency key. */
  readonly name: string;
  /** The input, serialised as JSON: for a forward, the webhook payload itself. */
  readonly input: string;
  /** The webhook's `action` (`JOB_END`, `LOAN`, `BIB`…), always set by the router: an event bus's detail type. */
  readonly action?: string;
  /**
   * When the webhook's time budget ends (epoch ms; {@link WebhookRouterOptions.timeBudgetMs}): the secret read
   * and every dispatch of one webhook share it, so a dispatcher gives up, as transient, by then.
   */
  readonly deadline?: number;
}

/**
 * The webhook a plan came from, handed to {@link ExecutionDispatcher.start} beside the request: for a
 * dispatcher that needs more than the JSON input (the handlers of `createWebhooks` get the raw body).
 *
 * @example
 * ```ts
 * const dispatcher: ExecutionDispatcher = {
 *   async start({ name }, webhook) {
 *     await archive.put(name, webhook?.rawBody ?? Buffer.alloc(0));
 *     return { status: "started", deliveredTo: name };
 *   },
 * };
 * ```
 */
export interface DispatchedWebhook {
  /** The parsed payload (an XML body in its JSON form). */
  readonly payload: WebhookPayload;
  /** The body's bytes exactly as Alma sent and signed them (a Node `Buffer`; see BodyBytes). */
  readonly rawBody: BodyBytes;
}

/**
 * How a start went. `duplicate` means the execution already exists: the job was handled before, and that
 * counts as success. `failed` is `transient` when a later retry may succeed (throttling, 5xx, timeout),
 * which the router answers 503 so that Alma retries; otherwise it answers 500.
 *
 * @example
 * ```ts
 * const started: DispatchResult = { status: "started", deliveredTo: "arn:aws:states:...:execution:bursar:..." };
 * const again: DispatchResult = { status: "duplicate" };
 * const throttled: DispatchResult = { status: "failed", transient: true, error: "ThrottlingException" };
 * ```
 */
export type DispatchResult =
  | {
      readonly status: "started";
      /** Where the webhook went: the execution's ARN, the queue's or the bus's ARN, the handler's name. */
      readonly deliveredTo: string;
      /**
       * The former name of `deliveredTo` (it held queues and handlers too), still read when a dispatcher
       * gives it instead. The decision line's plugin result keeps the name `executionArn`.
       *
       * @deprecated Return `deliveredTo`.
       */
      readonly executionArn?: string;
      /** For a queue or a bus: the id of the message or event sent. */
      readonly messageId?: string;
      /** The webhook was forwarded (to a queue or a bus), not a pipeline started: the answer says so. */
      readonly forwarded?: boolean;
      /** The webhook was handed to a function (a handler of `createWebhooks`): the answer says "handled". */
      readonly handled?: boolean;
    }
  | {
      readonly status: "duplicate";
      /** Where the earlier delivery went, when known. */
      readonly deliveredTo?: string;
      /** @deprecated Return `deliveredTo`. */
      readonly executionArn?: string;
      readonly forwarded?: boolean;
    }
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
 * Starts executions. `@alma-webhooks/aws` starts pipelines and sends messages by the target's ARN; another
 * service can start anything else. A dispatcher should not throw: the router treats a throw as a
 * permanent failure.
 *
 * @example
 * ```ts
 * const dispatcher: ExecutionDispatcher = {
 *   async start({ target, name, input }) {
 *     await queue.send({ target, name, input });
 *     return { status: "started", deliveredTo: `${target}:${name}` };
 *   },
 * };
 * ```
 */
export interface ExecutionDispatcher {
  /**
   * Starts one execution and says how it went; resolves rather than rejects, even on failure. `webhook` is
   * the webhook the plan came from, always given by the router.
   */
  start(request: ExecutionRequest, webhook?: DispatchedWebhook): Promise<DispatchResult>;
}
