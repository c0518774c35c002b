import { isDeepStrictEqual } from "node:util";
import type { DispatchResult, ExecutionDispatcher, ExecutionRequest, Logger } from "@alma-webhooks/core";
import type { SFNClient } from "@aws-sdk/client-sfn";
import { executionArnFor } from "./arn.js";
import { type Clock, callWithin, DISPATCH_BUDGET, describe, type isTransient, nameOf } from "./deadline.js";
import { DispatchAttempt } from "./dispatch-attempt.js";
import { type StepFunctionsCalls, sdkStepFunctionsCalls } from "./step-functions-calls.js";

const executionArnOf = (stateMachineArn: string, name: string): string =>
  executionArnFor(stateMachineArn, name) ?? `${stateMachineArn}:${name}`;

/** Step Functions parses the input, so two inputs are the same when they parse to the same JSON. */
function sameInput(a: string, b: string): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(a), JSON.parse(b));
  } catch {
    return a === b;
  }
}

/** An input as it goes into a log line or an error message: whole unless it is long. */
const quote = (input: string): string => (input.length > 500 ? `${input.slice(0, 500)}…` : input);

/** Execution statuses that mean the earlier run of this job did not do its work. */
const UNSUCCESSFUL = new Set(["FAILED", "TIMED_OUT", "ABORTED"]);

/**
 * Starts executions with Step Functions' StartExecution, within {@link DISPATCH_BUDGET}.
 *
 * - Started: `started`.
 * - `ExecutionAlreadyExists`: the execution of that name is described (DescribeExecution, same budget)
 *   and its input compared with this delivery's, as parsed JSON. The same input is a `duplicate` (a WARN
 *   line when that earlier execution FAILED, TIMED_OUT or was ABORTED: a person may want to redrive it).
 *   Another input is a permanent failure (ERROR line; the router reports it and answers 500): something
 *   changed between two deliveries of one Alma job, and no execution was started for this one. When the
 *   description cannot be had (denied, failed, out of budget), the answer is `duplicate`, with a WARN line
 *   saying why.
 * - Any other error: `failed`, `transient` as {@link isTransient} says (503 and Alma retries, or 500).
 *
 * At the first dispatch to a state machine in this cold start, DescribeStateMachine is asked, beside
 * StartExecution, for its type (at most {@link DISPATCH_BUDGET}`.stateMachineCheckMs` of what the budget left, awaited so
 * that no request is left in flight when Lambda freezes the process): an EXPRESS state machine gets one
 * WARN line, since Step Functions de-duplicates execution names only for STANDARD ones. Any error there
 * is an INFO line, never a failure.
 *
 * @example
 * ```ts
 * const dispatcher = new StepFunctionsDispatcher(stepFunctionsCalls(), logger, systemClock);
 * await dispatcher.start({ plugin: "PPOD", target: arn, name: "ppod-upload-…", input: "{}" });
 * ```
 */
export class StepFunctionsDispatcher implements ExecutionDispatcher {
  /** State machines whose type was asked for in this cold start (asked once, whatever the answer). */
  private readonly checkedStateMachines = new Set<string>();

  private readonly calls: StepFunctionsCalls;

  /**
   * `client`: the calls ({@link stepFunctionsCalls}: the small JSON client, or the SDK), or an SDK client
   * (`createStepFunctionsClient()`), whose calls import the SDK's commands on the first one.
   */
  constructor(
    client: StepFunctionsCalls | SFNClient,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {
    this.calls = "startExecution" in client ? client : sdkStepFunctionsCalls(client);
  }

  /** Starts within the budget that ends at `budgetEnd` (default: {@link DISPATCH_BUDGET} from now). */
  async start(request: ExecutionRequest): Promise<DispatchResult> {
    const fields = { plugin: request.plugin, stateMachineArn: request.target, executionName: request.name };
    const attempt = new DispatchAttempt(request, fields, this.logger, this.clock);
    const starting = callWithin(
      this.clock,
      "StartExecution",
      attempt.end,
      DISPATCH_BUDGET.totalMs,
      (abortSignal) =>
        this.calls.startExecution(
          { stateMachineArn: request.target, name: request.name, input: request.input },
          abortSignal,
        ),
    );
    // Asked beside StartExecution, not after it: the first dispatch of a cold start waits for one round
    // trip, not two, and nothing is left in flight when the answer leaves.
    const checked = this.checkStateMachineType(request.target, attempt.end);
    let result: DispatchResult;
    try {
      const output = await starting;
      const executionArn = output.executionArn ?? executionArnOf(request.target, request.name);
      this.logger.info("execution started", { ...fields, executionArn, durationMs: attempt.elapsed() });
      result = { status: "started", deliveredTo: executionArn };
    } catch (error) {
      if (nameOf(error) === "ExecutionAlreadyExists") {
        result = await this.alreadyExists(request, attempt);
      } else {
        result = attempt.failedWith("execution not started", error);
      }
    }
    await checked;
    return result;
  }

  /** `ExecutionAlreadyExists`: a duplicate delivery, unless the execution of that name has another input. */
  private async alreadyExists(request: ExecutionRequest, attempt: DispatchAttempt): Promise<DispatchResult> {
    const { fields } = attempt;
    const expectedArn = executionArnOf(request.target, request.name);
    let existing: Awaited<ReturnType<StepFunctionsCalls["describeExecution"]>>;
    try {
      existing = await callWithin(
        this.clock,
        "DescribeExecution",
        attempt.end,
        DISPATCH_BUDGET.totalMs,
        (abortSignal) => this.calls.describeExecution({ executionArn: expectedArn }, abortSignal),
      );
    } catch (error) {
      this.logger.warn("execution already exists; its input could not be compared, answered as a duplicate", {
        ...fields,
        executionArn: expectedArn,
        reason: `DescribeExecution failed: ${describe(error)}`,
        durationMs: attempt.elapsed(),
      });
      return { status: "duplicate", deliveredTo: expectedArn };
    }
    const executionArn = existing.executionArn ?? expectedArn;
    const durationMs = attempt.elapsed();
    if (existing.input === undefined) {
      this.logger.warn("execution already exists; its input could not be compared, answered as a duplicate", {
        ...fields,
        executionArn,
        reason: "DescribeExecution returned no input",
        durationMs,
      });
      return { status: "duplicate", deliveredTo: executionArn };
    }
    if (!sameInput(existing.input, request.input)) {
      const error =
        `ExecutionAlreadyExists: execution ${request.name} already exists with another input ` +
        `(${quote(existing.input)}) than this delivery asks for (${quote(request.input)}); nothing was ` +
        "started: the Alma job changed between deliveries, or two jobs map to one execution name";
      this.logger.error("execution already exists with a different input: not started", {
        ...fields,
        executionArn,
        existingInput: quote(existing.input),
        requestedInput: quote(request.input),
        durationMs,
      });
      return { status: "failed", transient: false, error };
    }
    if (existing.status !== undefined && UNSUCCESSFUL.has(existing.status)) {
      this.logger.warn(
        `execution already exists and ended ${existing.status}: duplicate delivery, not started again`,
        { ...fields, executionArn, executionStatus: existing.status, durationMs },
      );
    } else {
      this.logger.info("execution already exists: duplicate delivery", {
        ...fields,
        executionArn,
        executionStatus: existing.status,
        durationMs,
      });
    }
    return { status: "duplicate", deliveredTo: executionArn };
  }

  /** Once per state machine and cold start: warn when it is EXPRESS. Never fails. */
  private async checkStateMachineType(stateMachineArn: string, budgetEnd: number): Promise<void> {
    if (this.checkedStateMachines.has(stateMachineArn)) return;
    this.checkedStateMachines.add(stateMachineArn);
    try {
      const { type } = await callWithin(
        this.clock,
        "DescribeStateMachine",
        budgetEnd,
        DISPATCH_BUDGET.stateMachineCheckMs,
        (abortSignal) => this.calls.describeStateMachine({ stateMachineArn }, abortSignal),
      );
      if (type === "EXPRESS") {
        this.logger.warn("replays are not de-duplicated for EXPRESS state machines; use STANDARD", {
          stateMachineArn,
          type,
        });
      } else {
        this.logger.debug("state machine type checked", { stateMachineArn, type });
      }
    } catch (error) {
      this.logger.info("state machine type not checked (needs states:DescribeStateMachine)", {
        stateMachineArn,
        reason: describe(error),
      });
    }
  }
}
