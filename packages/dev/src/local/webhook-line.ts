import { routeVariables } from "@alma-webhooks/aws";
import type { ActivePlugin, Decision, PluginResult } from "@alma-webhooks/core";
import type { JournalDecision, WebhookJournalEntry } from "./webhook-journal.js";

/** The last part of an ARN, the part a person recognises: `ppod-local`, `loans.fifo`, `library-bus`. */
export const shortTarget = (arn: string): string => arn.split(/[:/]/).pop() || arn;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const jsonOf = (body: Buffer): Record<string, unknown> => {
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
};

const codeOf = (field: unknown): string | undefined =>
  isRecord(field) && typeof field.value === "string" ? field.value : undefined;

/** `institution.value` of a JSON body, if it has one. */
const institutionOf = (body: Buffer): string | undefined => codeOf(jsonOf(body).institution);

/** What a body says it is, before it is verified: for the line of a 401 or a 400. */
function claimedKind(body: Buffer): string | undefined {
  const json = jsonOf(body);
  const job =
    isRecord(json.job_instance) && typeof json.job_instance.name === "string"
      ? json.job_instance.name
      : undefined;
  if (job) return `${job} (unverified)`;
  const event = codeOf(json.event);
  return typeof json.action === "string"
    ? `${json.action}${event ? `.${event}` : ""} (unverified)`
    : undefined;
}

/**
 * The execution a plugin started, as its result names it: the one place that reads the result's ARN field,
 * so that a rename of that field is a one-line change.
 *
 * @example
 * ```ts
 * executionArnOf({ plugin: "PPOD", decision: "started", executionName: "n", executionArn: "arn:…:n" }); // "arn:…:n"
 * ```
 */
export function executionArnOf(result: Readonly<Record<string, unknown>> | PluginResult): string | undefined {
  const arn = (result as Readonly<Record<string, unknown>>).executionArn;
  return typeof arn === "string" && arn !== "" ? arn : undefined;
}

/**
 * One plugin's or route's result in the journal's words (started, forwarded, duplicate, skipped, broken,
 * failed, refused) with its reason, its target when the active list names it, and the execution or message.
 *
 * @example
 * ```ts
 * journalDecisionOf({ plugin: "PPOD", decision: "zero-records" }); // { name: "PPOD", decision: "skipped", reason: "zero exported records" }
 * ```
 */
export function journalDecisionOf(
  result: PluginResult,
  plugins: readonly ActivePlugin[] = [],
): JournalDecision {
  const active = plugins.find((plugin) => plugin.name === result.plugin);
  const target = active?.target ? { target: shortTarget(active.target) } : {};
  switch (result.decision) {
    case "started":
    case "duplicate": {
      // A repeat the target recognised stays a duplicate, forwarded or started: nothing new was delivered.
      const verb = result.decision === "duplicate" ? "duplicate" : result.forwarded ? "forwarded" : "started";
      const what = result.forwarded ? (result.messageId ?? result.executionName) : result.executionName;
      const again = result.decision === "duplicate" ? " (already delivered: nothing new)" : "";
      const execution = result.forwarded
        ? (result.messageId ?? result.executionName)
        : (executionArnOf(result) ?? result.executionName);
      return { name: result.plugin, decision: verb, reason: `${what}${again}`, ...target, execution };
    }
    case "status-not-accepted":
      return { name: result.plugin, decision: "skipped", reason: `job status ${result.status}`, ...target };
    case "zero-records":
      return { name: result.plugin, decision: "skipped", reason: "zero exported records", ...target };
    case "declined":
      return { name: result.plugin, decision: "skipped", reason: result.reason, ...target };
    case "misconfigured":
      return { name: result.plugin, decision: "broken", reason: result.error, ...target };
    case "failed":
      return {
        name: result.plugin,
        decision: "failed",
        reason: `${result.transient ? "transient, Alma retries: " : ""}${result.error}`,
        ...target,
      };
    case "too-large":
      return { name: result.plugin, decision: "refused", reason: result.error, ...target };
  }
}

/** Why no route took a webhook of another kind: each route that names the action, and what stopped it. */
function routeFilters(
  decision: Decision,
  body: Buffer,
  plugins: readonly ActivePlugin[],
  env: Readonly<Record<string, string | undefined>>,
): JournalDecision[] {
  const action = decision.action?.toUpperCase() ?? "";
  const event = decision.event?.toUpperCase() ?? "";
  const institution = institutionOf(body);
  const found: JournalDecision[] = [];
  for (const plugin of plugins) {
    const variables = routeVariables(plugin.name);
    const entries = (env[variables.EVENTS] ?? "")
      .split(",")
      .map((entry) => entry.trim().toUpperCase())
      .filter((entry) => entry === action || entry.startsWith(`${action}:`));
    if (entries.length === 0) continue;
    const target = { target: shortTarget(plugin.target) };
    if (!entries.includes(action) && !entries.includes(`${action}:${event}`)) {
      const reason = `event ${event || "(none)"} is not one of ${entries.join(", ")} (${variables.EVENTS})`;
      found.push({ name: plugin.name, decision: "skipped", reason, ...target });
    } else if (plugin.institutions && !plugin.institutions.includes(institution ?? "")) {
      const list = plugin.institutions.join(",");
      const reason = `institution ${institution ?? "(none)"} is not in ${variables.INSTITUTIONS}=${list}`;
      found.push({ name: plugin.name, decision: "skipped", reason, ...target });
    }
  }
  return found;
}

/** The answer's reason in words, for each outcome of the router. */
function reasonOf(decision: Decision, signed: boolean, answer: string): string {
  switch (decision.outcome) {
    case "unauthorized":
      return signed
        ? "X-Exl-Signature does not match the secret (another secret, or a changed body)"
        : "no X-Exl-Signature header";
    case "not-job-end":
      return `no plugin or route acts on ${decision.action ?? "this action"}`;
    case "other-environment":
      return "the job name does not contain WORKSPACE";
    case "unclaimed":
      return "no plugin or route claims this job";
    case "unclaimed-event":
      return `no route forwards ${decision.action ?? "it"}${decision.event ? `.${decision.event}` : ""}`;
    case "handled":
      return "";
    case "challenge":
      return "challenge answered";
    default:
      return decision.reason ?? decision.error ?? answer.replace(/\s+/g, " ").slice(0, 160);
  }
}

/** What the journal and the line say about one decided request. */
export function describeDecision(
  decision: Decision,
  body: Buffer,
  signed: boolean,
  answer: string,
  plugins: readonly ActivePlugin[],
  env: Readonly<Record<string, string | undefined>>,
): Pick<WebhookJournalEntry, "kind" | "outcome" | "reason" | "decisions" | "identity"> {
  // The router names the event only where a route looked at it: the body says it for the other outcomes.
  const event = decision.event ?? (decision.action ? codeOf(jsonOf(body).event) : undefined);
  const kind =
    decision.jobName ??
    (decision.action ? `${decision.action}${event ? `.${event}` : ""}` : undefined) ??
    claimedKind(body) ??
    (decision.outcome.startsWith("challenge") ? "GET challenge" : (decision.method ?? "request"));
  const decisions =
    decision.outcome === "handled"
      ? (decision.plugins ?? []).map((result) => journalDecisionOf(result, plugins))
      : decision.outcome === "unclaimed-event"
        ? routeFilters(decision, body, plugins, env)
        : [];
  return {
    kind,
    outcome: decision.outcome,
    reason: reasonOf(decision, signed, answer),
    decisions,
    ...(decision.identity ? { identity: decision.identity } : {}),
  };
}

/**
 * Marks the repeats a target recognised: a start or a forward whose execution (or message id) an earlier
 * webhook already got. Step Functions answers a repeated start of a running execution (same name, same
 * input) with that execution, and a FIFO queue a repeated deduplication id with the first message's id:
 * nothing new was delivered, so the decision is a duplicate. `seen` carries what was delivered before.
 *
 * @example
 * ```ts
 * const seen = new Set<string>();
 * markRepeats([{ name: "PPOD", decision: "started", reason: "x", execution: "arn:…:x" }], seen); // started
 * markRepeats([{ name: "PPOD", decision: "started", reason: "x", execution: "arn:…:x" }], seen); // duplicate
 * ```
 */
export function markRepeats(decisions: readonly JournalDecision[], seen: Set<string>): JournalDecision[] {
  return decisions.map((decision) => {
    if ((decision.decision !== "started" && decision.decision !== "forwarded") || !decision.execution) {
      return decision;
    }
    const key = `${decision.name}\n${decision.execution}`;
    if (!seen.has(key)) {
      seen.add(key);
      return decision;
    }
    return {
      ...decision,
      decision: "duplicate",
      reason: `${decision.reason} (the target already had it: nothing new)`,
    };
  });
}

const clock = (iso: string): string => iso.slice(11, 19);

/** What became of a webhook, in one word: the page's and the line's. */
export type Fate = "delivered" | "duplicate" | "refused" | "error" | "ok" | "ignored";

/**
 * What became of a webhook: `error` (5xx), `refused` (4xx), `delivered` (a plugin or route started or
 * forwarded it), `duplicate` (every target had it already: nothing new), `ok` (a challenge), else `ignored`.
 *
 * @example
 * ```ts
 * fateOf({ status: 200, decisions: [{ name: "PPOD", decision: "duplicate", reason: "" }] }); // "duplicate"
 * ```
 */
export function fateOf(entry: Pick<WebhookJournalEntry, "status" | "decisions" | "outcome">): Fate {
  if (entry.status >= 500) return "error";
  if (entry.status >= 400) return "refused";
  if (entry.decisions.some((d) => d.decision === "started" || d.decision === "forwarded")) return "delivered";
  if (entry.decisions.some((d) => d.decision === "duplicate")) return "duplicate";
  if (entry.outcome === "challenge") return "ok";
  return "ignored";
}

/** The short word of an answer: `200 delivered`, `200 duplicate`, `200 ignored`, `401 refused`. */
const answerWord = (entry: WebhookJournalEntry): string => `${entry.status} ${fateOf(entry)}`;

/**
 * One readable line per webhook: time, kind (job name or `LOAN.LOAN_CREATED`), the answer, each plugin's
 * and route's decision with its reason and target, the time taken, and the id `resend` takes.
 *
 * @example
 * ```ts
 * out(webhookLine(entry)); // 12:40:02  LOAN.LOAN_CREATED  200 ignored  LOANS skipped: institution ...  3 ms  [a1b2c3d4]
 * ```
 */
export function webhookLine(entry: WebhookJournalEntry): string {
  const parts = [clock(entry.time), entry.kind, answerWord(entry)];
  if (entry.redeliveryOf) parts.push(`redelivery of [${entry.redeliveryOf}]`);
  if (entry.reason) parts.push(entry.reason);
  for (const d of entry.decisions) {
    parts.push(
      `${d.name} ${d.decision}${d.target ? ` → ${d.target}` : ""}${d.reason ? ` (${d.reason})` : ""}`,
    );
  }
  parts.push(`${entry.ms} ms`, `[${entry.id}]`);
  return parts.join("  ");
}
