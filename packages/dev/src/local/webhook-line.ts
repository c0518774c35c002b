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

function resultOf(result: PluginResult, plugins: readonly ActivePlugin[]): JournalDecision {
  const active = plugins.find((plugin) => plugin.name === result.plugin);
  const target = active?.target ? { target: shortTarget(active.target) } : {};
  switch (result.decision) {
    case "started":
    case "duplicate": {
      const verb = result.forwarded ? "forwarded" : result.decision;
      const what = result.forwarded ? (result.messageId ?? result.executionName) : result.executionName;
      const again = result.decision === "duplicate" ? " (already delivered: nothing new)" : "";
      return { name: result.plugin, decision: verb, reason: `${what}${again}`, ...target };
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
): Pick<WebhookJournalEntry, "kind" | "outcome" | "reason" | "decisions"> {
  const kind =
    decision.jobName ??
    (decision.action ? `${decision.action}${decision.event ? `.${decision.event}` : ""}` : undefined) ??
    claimedKind(body) ??
    (decision.outcome.startsWith("challenge") ? "GET challenge" : (decision.method ?? "request"));
  const decisions =
    decision.outcome === "handled"
      ? (decision.plugins ?? []).map((result) => resultOf(result, plugins))
      : decision.outcome === "unclaimed-event"
        ? routeFilters(decision, body, plugins, env)
        : [];
  return { kind, outcome: decision.outcome, reason: reasonOf(decision, signed, answer), decisions };
}

const clock = (iso: string): string => iso.slice(11, 19);

/** The short word of an answer: `200 started`, `200 ignored`, `401 refused`. */
function answerWord(entry: WebhookJournalEntry): string {
  if (entry.status >= 500) return `${entry.status} error`;
  if (entry.status >= 400) return `${entry.status} refused`;
  if (entry.decisions.some((d) => d.decision === "started" || d.decision === "forwarded"))
    return `${entry.status} delivered`;
  if (entry.outcome === "challenge") return `${entry.status} ok`;
  return `${entry.status} ignored`;
}

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
  if (entry.reason) parts.push(entry.reason);
  for (const d of entry.decisions) {
    parts.push(
      `${d.name} ${d.decision}${d.target ? ` → ${d.target}` : ""}${d.reason ? ` (${d.reason})` : ""}`,
    );
  }
  parts.push(`${entry.ms} ms`, `[${entry.id}]`);
  return parts.join("  ");
}
