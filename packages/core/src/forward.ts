import { InvalidPluginError } from "./errors.js";
import { ALMA_EVENT_NAMES } from "./payload/event-names.generated.js";
import { eventValueOf } from "./payload/kinds.js";
import type { SettingSpec, SettingValues, WebhookPlugin } from "./plugin/contract.js";
import { definePlugin } from "./plugin/define.js";
import { foldJobName, type JobMatcher } from "./plugin/matchers.js";
import { closestName } from "./plugin/settings.js";

const WORD = /^[A-Z][A-Z0-9_]*$/;

/**
 * What a forward claims, in the syntax of `ALMA_FORWARD_<ROUTE>_EVENTS`: `ACTION` (every event of it),
 * `ACTION:EVENT` (`LOAN:LOAN_CREATED`), `JOB_END` (every job end in this environment) or `JOB_END:<exact job
 * name>` (that job's ends, case-insensitive, whatever their status).
 */
interface ForwardRules {
  /** Action → its claimed `event.value`s, or "all". */
  readonly actions: ReadonlyMap<string, ReadonlySet<string> | "all">;
  /** Folded job names whose ends are claimed, or "all"; undefined when JOB_END is not claimed. */
  readonly jobNames?: ReadonlySet<string> | "all";
}

/**
 * An entry's action and what follows its first colon (an event, or a job name), if anything. A job name
 * may be quoted (`JOB_END:"Export, daily to Dev1"`) so that it can hold commas; the quotes go.
 */
function split(entry: string): { action: string; rest: string | undefined } {
  const colon = entry.indexOf(":");
  if (colon < 0) return { action: entry, rest: undefined };
  const rest = entry.slice(colon + 1).trim();
  const quoted = /^"(.*)"$/.exec(rest);
  return { action: entry.slice(0, colon), rest: quoted ? (quoted[1] as string).trim() : rest };
}

/** The entries of a comma-separated list, splitting at commas outside double quotes. */
function entriesOf(list: string): string[] {
  const entries = [""];
  let quoted = false;
  for (const char of list) {
    if (char === '"') quoted = !quoted;
    if (char === "," && !quoted) entries.push("");
    else entries[entries.length - 1] += char;
  }
  return entries;
}

/** Why an entry is not of the syntax, or undefined when it is. */
function entryProblem(entry: string): string | undefined {
  const { action, rest } = split(entry);
  if (entry.split('"').length % 2 === 0) return `'${entry}': a double quote is not closed`;
  if (!WORD.test(action) || rest === "") {
    return `'${entry}' is not ACTION, ACTION:EVENT or JOB_END:<job name> (upper-case action)`;
  }
  if (action !== "JOB_END" && rest !== undefined && !WORD.test(rest)) {
    return `'${entry}': the event '${rest}' is not an upper-case event value like LOAN_CREATED`;
  }
  return undefined;
}

/** The documented names in the entries' syntax: `LOAN`, `LOAN:LOAN_CREATED`. */
const KNOWN_ENTRIES: readonly string[] = ALMA_EVENT_NAMES.map((name) => name.replace(".", ":"));

/**
 * A warning for a valid entry that names no action or event core's schemas document (`LOANS`,
 * `LOAN:LOAN_CREATD`): it claims what Alma never sends under that name, so the route would never fire.
 * Undefined for a documented one and for a job end's name (any name is a job's).
 */
function unknownEntry(entry: string): string | undefined {
  const { action, rest } = split(entry);
  if (action === "JOB_END" || KNOWN_ENTRIES.includes(entry)) return undefined;
  const nearest = closestName(entry, KNOWN_ENTRIES);
  const known = KNOWN_ENTRIES.some((name) => name === action);
  const what = rest === undefined || !known ? `the action '${action}'` : `the event '${rest}' of ${action}`;
  return nearest === undefined
    ? `'${entry}': ${what} is not one that Alma documents; it fires only if Alma sends it`
    : `'${entry}': ${what} is not one that Alma documents; did you mean '${nearest}'?`;
}

/**
 * Splits forward entries (`ACTION`, `ACTION:EVENT`, `JOB_END`, `JOB_END:<exact job name>`, the job name in
 * double quotes when it holds a comma) into the valid ones, trimmed, the malformed ones, and a sentence for
 * each of those. Takes a list, or the comma-separated text of `ALMA_FORWARD_<ROUTE>_EVENTS`. Never throws: a
 * shell that reads routes from its configuration contains a malformed one instead of failing every webhook.
 *
 * @example
 * ```ts
 * checkForwardEvents('LOAN:LOAN_CREATED, BIB, JOB_END:"Export, daily to Dev1", loan');
 * // { valid: ["LOAN:LOAN_CREATED", "BIB", 'JOB_END:"Export, daily to Dev1"'], malformed: ["loan"],
 * //   jobEnds: [{ entry: 'JOB_END:"Export, daily to Dev1"', job: "Export, daily to Dev1" }], problems: [...],
 * //   unknown: [] }
 * checkForwardEvents("LOANS").unknown;
 * // ["'LOANS': the action 'LOANS' is not one that Alma documents; did you mean 'LOAN'?"]
 * ```
 */
export function checkForwardEvents(entries: readonly string[] | string): {
  readonly valid: readonly string[];
  readonly malformed: readonly string[];
  /** The valid `JOB_END:<job name>` entries, each with its job name as it will be matched (quotes gone). */
  readonly jobEnds: readonly { readonly entry: string; readonly job: string }[];
  readonly problems: readonly string[];
  /**
   * A sentence for each valid entry that names an action or event that core's schemas do not document
   * (see `AlmaEventName`), with the nearest documented one: for start-up warnings, not problems, since Alma
   * may send an event that this version does not know.
   */
  readonly unknown: readonly string[];
} {
  const valid: string[] = [];
  const malformed: string[] = [];
  const problems: string[] = [];
  for (const raw of typeof entries === "string" ? entriesOf(entries) : entries) {
    const entry = raw.trim();
    const problem = entryProblem(entry);
    if (problem === undefined) valid.push(entry);
    else {
      malformed.push(entry);
      problems.push(problem);
    }
  }
  const jobEnds = valid.flatMap((entry) => {
    const { action, rest } = split(entry);
    return action === "JOB_END" && rest !== undefined ? [{ entry, job: rest }] : [];
  });
  const unknown = valid.flatMap((entry) => unknownEntry(entry) ?? []);
  return { valid, malformed, jobEnds, problems, unknown };
}

/** The rules of valid entries. */
function compile(entries: readonly string[]): ForwardRules {
  const actions = new Map<string, Set<string> | "all">();
  let jobNames: Set<string> | "all" | undefined;
  for (const entry of entries) {
    const { action, rest } = split(entry);
    if (action === "JOB_END") {
      if (rest === undefined) jobNames = "all";
      else if (jobNames !== "all") {
        jobNames ??= new Set();
        jobNames.add(foldJobName(rest));
      }
      continue;
    }
    const claimed = actions.get(action);
    if (rest === undefined) actions.set(action, "all");
    else if (claimed !== "all") actions.set(action, (claimed ?? new Set<string>()).add(rest));
  }
  return { actions, ...(jobNames ? { jobNames } : {}) };
}

/**
 * What {@link forwardPlugin} takes.
 *
 * @example
 * ```ts
 * const definition: ForwardPluginDefinition = {
 *   name: "BIB_EVENTS",
 *   events: ["BIB"],
 *   target: targetArnSetting("BIB_EVENT_BUS_ARN"),
 * };
 * ```
 */
export interface ForwardPluginDefinition {
  /** Upper case: labels the answer ("LOANS forwarded."), logs and metrics. */
  readonly name: string;
  /** `ACTION`, `ACTION:EVENT`, `JOB_END` or `JOB_END:<exact job name>` entries; at least one. */
  readonly events: readonly string[];
  /** Where the webhooks go: a target setting (`targetArnSetting` of `@alma-webhooks/aws`). It activates the plugin. */
  readonly target: SettingSpec;
  /** Optional comma-separated `institution.value`s; without it, every institution's webhooks. */
  readonly institutions?: SettingSpec;
}

const listOf = (value: string): string[] =>
  value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");

/**
 * Defines a plugin that forwards the webhooks it claims as they are: the payload, as JSON (an XML body as
 * the same JSON), goes to the target, a queue, a bus or a pipeline. The gates are a plugin's: the
 * environment (a job end's name must contain `WORKSPACE`; `institutions` for the other kinds), the claim,
 * the event age. A job end is forwarded whatever its status and counters: they are the consumer's to read.
 * The execution name (the FIFO deduplication id) comes from the webhook, as for any plugin, so a redelivery
 * gets the same one.
 *
 * @example
 * ```ts
 * export const loanQueue = forwardPlugin({
 *   name: "LOANS",
 *   events: ["LOAN:LOAN_CREATED", "REQUEST", "JOB_END:Publishing Platform Job Incremental Publishing"],
 *   target: targetArnSetting("LOANS_QUEUE_ARN", "FIFO queue of loan and request events"),
 *   institutions: { env: "LOANS_INSTITUTIONS", description: "Institutions forwarded", optional: true },
 * });
 * ```
 */
export function forwardPlugin(definition: ForwardPluginDefinition): WebhookPlugin<string> {
  const { valid, problems } = checkForwardEvents(definition.events);
  if (problems.length > 0 || valid.length === 0) {
    throw new InvalidPluginError(
      `Forward plugin '${definition.name}': ${problems.length > 0 ? problems.join("; ") : "events must list at least one entry"}.`,
    );
  }
  const rules = compile(valid);
  const { jobNames } = rules;
  const matcher: JobMatcher | undefined =
    jobNames instanceof Set
      ? {
          description: `name is one of ${[...jobNames].map((name) => `'${name}'`).join(", ")}`,
          matches: (jobName, folded = foldJobName(jobName)) => jobNames.has(folded),
        }
      : undefined;
  const actions = [...rules.actions.keys(), ...(jobNames ? ["JOB_END"] : [])];
  return definePlugin<string, string>({
    name: definition.name,
    settings: {
      target: definition.target,
      ...(definition.institutions ? { institutions: definition.institutions } : {}),
    } as Record<string, SettingSpec>,
    activatedBy: "target",
    actions,
    ...(matcher ? { jobMatcher: () => matcher } : {}),
    target: (settings) => settings.target ?? "",
    institutions: (settings: SettingValues<string>) => {
      const list = listOf(settings.institutions ?? "");
      return list.length === 0 ? undefined : list;
    },
    matches(payload) {
      const claimed = rules.actions.get(payload.action);
      if (claimed === undefined) return payload.action === "JOB_END";
      if (claimed === "all") return true;
      const event = eventValueOf(payload);
      return event !== undefined && claimed.has(event);
    },
    buildExecution: (payload, { executionName }) => ({
      input: payload,
      // The action too: a LOAN and a REQUEST of one route never share a deduplication id.
      name: executionName(`${definition.name}-${payload.action}`.toLowerCase().replace(/_/g, "-")),
    }),
  });
}
