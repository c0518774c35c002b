import type { DispatchResult, ExecutionDispatcher, ExecutionRequest } from "../dispatcher.js";

/**
 * How {@link RecordingDispatcher} answers the next start.
 *
 * @example
 * ```ts
 * const behaviour: FakeBehaviour = "transient-failure";
 * dispatcher.behaveAs(behaviour);
 * ```
 */
export type FakeBehaviour = "start" | "duplicate" | "transient-failure" | "permanent-failure" | "throw";

/**
 * A dispatcher for tests: records every request and answers as told. Like a de-duplicating target, a second start
 * with a name it has seen is a duplicate.
 *
 * @example
 * ```ts
 * const dispatcher = new RecordingDispatcher();
 * await handleLambdaEvent(router, signedPost(payload, secret));
 * expect(dispatcher.requests[0]?.name).to.match(/^ppod-upload-/);
 * dispatcher.behaveAs("transient-failure");
 * ```
 */
export class RecordingDispatcher implements ExecutionDispatcher {
  /** Every start asked for, in order. */
  readonly requests: ExecutionRequest[] = [];
  private readonly started = new Map<string, string>();
  private behaviour: FakeBehaviour = "start";

  /** `forwardTargets`: targets answered as forwarded (a queue or a bus), not as a pipeline started. */
  constructor(private readonly options: { readonly forwardTargets?: readonly string[] } = {}) {}

  /** Sets how every following start is answered. */
  behaveAs(behaviour: FakeBehaviour): this {
    this.behaviour = behaviour;
    return this;
  }

  /** The executions started (not duplicates), by name. */
  get executions(): ReadonlyMap<string, string> {
    return this.started;
  }

  async start(request: ExecutionRequest): Promise<DispatchResult> {
    this.requests.push(request);
    const key = `${request.target}/${request.name}`;
    switch (this.behaviour) {
      case "transient-failure":
        return { status: "failed", transient: true, error: "ThrottlingException: Rate exceeded" };
      case "permanent-failure":
        return { status: "failed", transient: false, error: "AccessDeniedException: not authorised" };
      case "throw":
        throw new Error("dispatcher exploded");
      case "duplicate":
        return { status: "duplicate", deliveredTo: this.arnOf(request) };
    }
    const forwarded =
      this.options.forwardTargets?.includes(request.target) === true ? { forwarded: true } : {};
    const existing = this.started.get(key);
    if (existing !== undefined) return { status: "duplicate", deliveredTo: existing, ...forwarded };
    const arn = this.arnOf(request);
    this.started.set(key, arn);
    return { status: "started", deliveredTo: arn, ...forwarded };
  }

  private arnOf(request: ExecutionRequest): string {
    return `${request.target}:${request.name}`;
  }
}
