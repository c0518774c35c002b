import type { DispatchResult, ExecutionDispatcher, ExecutionRequest } from "../dispatcher.js";
import { executionArnFor } from "../step-functions.js";

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
 * A dispatcher for tests: records every request and answers as told. Like Step Functions, a second start
 * with a name it has seen is a duplicate.
 *
 * @example
 * ```ts
 * const dispatcher = new RecordingDispatcher();
 * await router.handle(signedPost(payload, secret));
 * expect(dispatcher.requests[0]?.name).to.match(/^ppod-upload-/);
 * dispatcher.behaveAs("transient-failure");
 * ```
 */
export class RecordingDispatcher implements ExecutionDispatcher {
  /** Every start asked for, in order. */
  readonly requests: ExecutionRequest[] = [];
  private readonly started = new Map<string, string>();
  private behaviour: FakeBehaviour = "start";

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
        return { status: "duplicate", executionArn: this.arnOf(request) };
    }
    const existing = this.started.get(key);
    if (existing !== undefined) return { status: "duplicate", executionArn: existing };
    const arn = this.arnOf(request);
    this.started.set(key, arn);
    return { status: "started", executionArn: arn };
  }

  private arnOf(request: ExecutionRequest): string {
    return executionArnFor(request.target, request.name) ?? `${request.target}:${request.name}`;
  }
}
