// The decision chain after the signature, in small named steps: claim (which plugins act), plan (each
// plugin's execution, or why not), dispatch (start it). The router (router.ts) strings them together.
import { isUtf8 } from "node:buffer";
import type { ExecutionDispatcher } from "./dispatcher.js";
import { DispatchFailedError, InvalidPayloadError, messageOf } from "./errors.js";
import { executionName } from "./execution-name.js";
import type { Logger } from "./logger.js";
import type { PluginResult } from "./outcome.js";
import { hasRecords, jobStatus } from "./payload/job-end.js";
import { eventValueOf } from "./payload/kinds.js";
import type { JobInstance, WebhookPayload } from "./payload/types.js";
import type { Declined, ExecutionPlan } from "./plugin/contract.js";
import type { ActivePlugin } from "./plugin/registry.js";

/** A plugin's step before dispatch: a plan to start, or its result already (with the bug that made it). */
export type Planned =
  | { readonly active: ActivePlugin; readonly plan: ExecutionPlan }
  | { readonly result: PluginResult; readonly bug?: unknown };

/** What the steps share for one request. */
export interface Webhook {
  readonly payload: WebhookPayload;
  readonly body: Buffer;
  /** The job of a JOB_END; undefined for other actions. */
  readonly job?: JobInstance;
  /** The job's name folded once, for the matchers. */
  readonly folded?: string;
}

/** What the steps need of the router. */
export interface PlanContext {
  readonly workspace: string;
  readonly logger: Logger;
  readonly dispatcher: ExecutionDispatcher;
  readonly now: () => number;
  readonly report: (error: unknown, context: Record<string, unknown>) => Promise<void>;
}

function institutionOf(payload: WebhookPayload): string | undefined {
  const { institution } = payload;
  if (typeof institution === "string") return institution;
  const value = (institution as { value?: unknown } | null | undefined)?.value;
  return typeof value === "string" ? value : undefined;
}

/**
 * Whether a plugin claims the webhook: its action (and event), its institutions, its job matcher (JOB_END),
 * its own `matches`. A broken plugin claims what it would claim working, so that it is answered 500.
 */
export function claims(active: ActivePlugin, webhook: Webhook): boolean {
  const { plugin } = active;
  const { payload } = webhook;
  if (!plugin.actions.includes(payload.action)) return false;
  if (plugin.events) {
    const event = eventValueOf(payload);
    if (event === undefined || !plugin.events.includes(event)) return false;
  }
  if (active.institutions !== undefined) {
    const institution = institutionOf(payload);
    if (institution === undefined || !active.institutions.includes(institution)) return false;
  }
  if (webhook.job && active.matcher && !active.matcher.matches(webhook.job.name, webhook.folded))
    return false;
  return active.problems !== undefined || (plugin.matches?.(payload, active.settings) ?? true);
}

/**
 * Each claimant's plan, in order. A field that a step needs and is malformed throws
 * {@link InvalidPayloadError} (400 for the whole webhook, nothing started): the status is read once, and
 * only when a working claimant accepts some statuses; the counters only for a claimant that counts them.
 */
export function plan(
  claimants: readonly ActivePlugin[],
  webhook: Webhook,
  named: JobInstance,
  context: PlanContext,
): Planned[] {
  const { job } = webhook;
  const working = claimants.filter((active) => active.problems === undefined);
  const status =
    job && working.some((active) => active.plugin.acceptedStatuses !== undefined) ? jobStatus(job) : "";
  return claimants.map((active): Planned => {
    const { plugin } = active;
    const base = { plugin: active.name };
    if (active.problems) {
      return { result: { ...base, decision: "misconfigured", error: active.problems.join(" ") } };
    }
    if (job && plugin.acceptedStatuses && !plugin.acceptedStatuses.includes(status)) {
      return { result: { ...base, decision: "status-not-accepted", status } };
    }
    if (job && plugin.exportedRecordCounters && !hasRecords(job, plugin.exportedRecordCounters)) {
      return { result: { ...base, decision: "zero-records" } };
    }
    let built: ExecutionPlan | Declined;
    try {
      built = plugin.buildExecution(webhook.payload, {
        settings: active.settings,
        workspace: context.workspace,
        payload: webhook.payload,
        executionName: (prefix) => executionName(prefix, named, webhook.body),
      });
    } catch (error) {
      if (error instanceof InvalidPayloadError) throw error;
      // A plugin's bug must not cost the others their run: it becomes this plugin's permanent failure.
      return {
        result: { ...base, decision: "failed", transient: false, error: messageOf(error) },
        bug: error,
      };
    }
    if ("declined" in built) {
      context.logger.warn(`${active.name} declined the webhook: ${built.declined}`, { plugin: active.name });
      return { result: { ...base, decision: "declined", reason: built.declined } };
    }
    return { active, plan: built };
  });
}

/**
 * The text dispatched for a plan's input. A plan that sends the payload as it is (a forward) sends a JSON
 * body as it was received, its bytes as text (a leading byte-order mark dropped): an unquoted number past
 * 2^53 arrives as Alma wrote it, not as JSON.parse rounded it. An XML body (forwarded as its JSON form), a
 * body that is not valid UTF-8 (queues and buses take only Unicode text: its JSON form, each invalid
 * sequence as U+FFFD) and every other input are serialised.
 */
function inputText(
  input: object,
  webhook: { readonly payload: WebhookPayload; readonly rawBody: Buffer; readonly format?: string },
): string {
  if (input !== webhook.payload || webhook.format !== "json" || !isUtf8(webhook.rawBody))
    return JSON.stringify(input);
  const text = webhook.rawBody.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Starts one plan through the dispatcher (a result already is passed on, its bug reported). Never throws. */
export async function dispatch(
  planned: Planned,
  webhook: {
    readonly action: string;
    readonly jobId?: string;
    readonly deadline?: number;
    readonly payload: WebhookPayload;
    readonly rawBody: Buffer;
    /** The body's format: a JSON body forwarded as it is goes as received. */
    readonly format?: "json" | "xml";
  },
  context: PlanContext,
): Promise<PluginResult> {
  const { report, dispatcher, now } = context;
  if ("result" in planned) {
    if ("bug" in planned) await report(planned.bug, { plugin: planned.result.plugin, jobId: webhook.jobId });
    return planned.result;
  }
  const { active, plan: execution } = planned;
  const base = { plugin: active.name, executionName: execution.name };
  const started = now();
  try {
    const result = await dispatcher.start(
      {
        plugin: active.name,
        target: active.target,
        name: execution.name,
        input: inputText(execution.input, webhook),
        action: webhook.action,
        ...(webhook.deadline ? { deadline: webhook.deadline } : {}),
      },
      { payload: webhook.payload, rawBody: webhook.rawBody },
    );
    const durationMs = now() - started;
    if (result.status === "too-large") {
      // Permanent and the sender's to fix (or the bucket's to add): a person must see it.
      await report(new DispatchFailedError(active.name, execution.name, result.error), {
        plugin: active.name,
        jobId: webhook.jobId,
      });
      const { size, limit, error } = result;
      return { ...base, decision: "too-large", size, limit, error, durationMs };
    }
    if (result.status !== "failed") {
      return {
        ...base,
        decision: result.status,
        // The decision line's field keeps its name, a contract of the logs: it says where the webhook went.
        executionArn: result.deliveredTo ?? result.executionArn,
        ...("messageId" in result && result.messageId !== undefined ? { messageId: result.messageId } : {}),
        ...(result.forwarded ? { forwarded: true } : {}),
        ...("handled" in result && result.handled ? { handled: true } : {}),
        durationMs,
      };
    }
    // A permanent failure needs a person: hand it to the error tracker (transient ones are retried).
    if (!result.transient) {
      await report(new DispatchFailedError(active.name, execution.name, result.error), {
        plugin: active.name,
        jobId: webhook.jobId,
      });
    }
    return { ...base, decision: "failed", transient: result.transient, error: result.error, durationMs };
  } catch (error) {
    await report(error, { plugin: active.name, jobId: webhook.jobId });
    return { ...base, decision: "failed", transient: false, error: messageOf(error) };
  }
}
