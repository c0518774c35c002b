import {
  type ActivePlugin,
  activatePlugin,
  checkForwardEvents,
  closestName,
  type Environment,
  forwardPlugin,
  loadPlugins,
} from "@alma-webhooks/core";
import { targetArnSetting, targetKindOf } from "./arn.js";

const PREFIX = "ALMA_FORWARD_";
const SUFFIXES = ["TARGET", "EVENTS", "INSTITUTIONS"] as const;
const ROUTE_NAME = /^[A-Z0-9][A-Z0-9_]{0,31}$/;
const ACTION_SHAPE = /^([A-Za-z][A-Za-z0-9_]*)(?::|$)/;

/** What each route variable means: the README's configuration table lists them. */
export const ROUTE_VARIABLES = {
  "ALMA_FORWARD_<ROUTE>_TARGET":
    "Where the route forwards: an SQS queue (FIFO when its name ends in .fifo), EventBridge event bus or Step Functions state machine ARN. With _EVENTS, adds the route.",
  "ALMA_FORWARD_<ROUTE>_EVENTS":
    "What it forwards, comma-separated: ACTION (every event), ACTION:EVENT (LOAN:LOAN_CREATED), JOB_END (every job end in WORKSPACE) or JOB_END:Exact job name (that job's ends, whatever their status; in double quotes when it holds a comma).",
  "ALMA_FORWARD_<ROUTE>_INSTITUTIONS":
    "Comma-separated institution codes whose webhooks it forwards (the environment gate of kinds other than JOB_END); all when unset. Optional.",
} as const;

/** The variables of one route. */
export const routeVariables = (route: string) =>
  Object.fromEntries(SUFFIXES.map((suffix) => [suffix, `${PREFIX}${route}_${suffix}`])) as Record<
    (typeof SUFFIXES)[number],
    string
  >;

/**
 * The route variable that `name` likely misspells (`ALMA_FOWARD_X_TARGET` → `ALMA_FORWARD_X_TARGET`), if any.
 *
 * @example
 * ```ts
 * routeVariableSuggestion("ALMA_FOWARD_LOANS_EVENTS"); // "ALMA_FORWARD_LOANS_EVENTS"
 * ```
 */
export function routeVariableSuggestion(name: string): string | undefined {
  const parts = /^([A-Za-z]+_[A-Za-z]+)_(.+)_([A-Za-z]+)$/.exec(name);
  if (!parts || name.toUpperCase().startsWith(PREFIX)) return undefined;
  const [, prefix = "", route = "", suffix = ""] = parts;
  const fixed = closestName(prefix, [PREFIX.slice(0, -1)]);
  const ending =
    SUFFIXES.find((candidate) => candidate === suffix.toUpperCase()) ?? closestName(suffix, SUFFIXES);
  return fixed && ending ? `${PREFIX}${route.toUpperCase()}_${ending}` : undefined;
}

/** What {@link loadForwardRoutes} found: the routes as plugins (broken ones included), and what to say. */
export interface ForwardRoutes {
  readonly routes: readonly ActivePlugin[];
  readonly warnings: readonly string[];
  readonly problems: readonly string[];
}

const isSet = (value: string | undefined): value is string => value !== undefined && value.trim() !== "";

/**
 * Reads the forward routes from the environment: `ALMA_FORWARD_<ROUTE>_TARGET` (a queue, bus or state
 * machine ARN), `ALMA_FORWARD_<ROUTE>_EVENTS` (comma-separated `ACTION`, `ACTION:EVENT`, `JOB_END` or
 * `JOB_END:<exact job name>`) and the optional `ALMA_FORWARD_<ROUTE>_INSTITUTIONS` allow-list. Each route
 * becomes a forward plugin of core, so it goes through the router's gates, containment, outcomes, logs and
 * metrics as code plugins do. A route with an invalid setting is registered broken: the events it names
 * are answered 500 (for an entry that is not of the syntax, every event of the action it starts with),
 * everything else as usual. A route without any usable entry claims nothing: it is only listed.
 *
 * @example
 * ```ts
 * const { routes, problems } = loadForwardRoutes(process.env, new Set(["PPOD", "TIMDEX", "BURSAR"]));
 * ```
 */
export function loadForwardRoutes(env: Environment, taken: ReadonlySet<string>): ForwardRoutes {
  const warnings: string[] = [];
  const problems: string[] = [];
  const names = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.toUpperCase().startsWith(PREFIX) || !isSet(value)) continue;
    const suffix = SUFFIXES.find((candidate) => name.toUpperCase().endsWith(`_${candidate}`));
    const route = suffix === undefined ? "" : name.slice(PREFIX.length, -suffix.length - 1);
    if (suffix === undefined || route === "") {
      warnings.push(
        `${name} is not a forward route variable (${PREFIX}<ROUTE>_TARGET, _EVENTS or _INSTITUTIONS): ignored.`,
      );
    } else if (!ROUTE_NAME.test(route) || !name.startsWith(PREFIX) || !name.endsWith(suffix)) {
      problems.push(
        `${name}: a route name is 1-32 upper-case letters, digits or '_' (not starting with '_'), and so is the whole variable name: the route is off.`,
      );
    } else if (taken.has(route)) {
      problems.push(
        `${name}: the route ${route} has the name of a plugin of this deployment; rename the route.`,
      );
    } else {
      names.add(route);
    }
  }
  const routes: ActivePlugin[] = [];
  for (const route of [...names].sort()) {
    const variables = routeVariables(route);
    const events = env[variables.EVENTS];
    if (!isSet(events)) {
      problems.push(
        `${variables.EVENTS} is not set, but the ${route} route needs it because ${variables.TARGET} is set: it forwards nothing.`,
      );
      continue;
    }
    const checked = checkForwardEvents(events);
    const workspace = env.WORKSPACE?.trim().toLowerCase();
    for (const { entry, job } of checked.jobEnds) {
      if (workspace && !job.toLowerCase().includes(workspace)) {
        warnings.push(
          `${variables.EVENTS}: the entry '${entry}' can never fire here: its job name does not contain WORKSPACE '${env.WORKSPACE?.trim()}', and only jobs whose name does are acted on (${route} route).`,
        );
      }
    }
    // An entry of the syntax that names no documented action or event (LOANS, LOAN:LOAN_CREATD) would
    // never fire: said at start-up, with the nearest name, but kept (Alma may send a new event).
    warnings.push(...checked.unknown.map((warning) => `${variables.EVENTS}: ${warning} (${route} route).`));
    const own = checked.problems.map((problem) => `${variables.EVENTS}: ${problem} (${route} route).`);
    // A malformed entry still claims what it could have meant, so those webhooks are answered 500 (Alma
    // keeps them) rather than 200 and lost: the action it starts with, or, for a job end or what reads as
    // a piece of a job name (a comma inside an unquoted name), every job end of this environment.
    const claimed = [
      ...checked.valid,
      ...checked.malformed.map((entry) => {
        const action = ACTION_SHAPE.exec(entry)?.[1]?.toUpperCase();
        return action === undefined || action === "JOB_END" ? "JOB_END" : action;
      }),
    ];
    if (claimed.length === 0) {
      problems.push(...own);
      continue;
    }
    const plugin = forwardPlugin({
      name: route,
      events: [...new Set(claimed)],
      target: targetArnSetting(variables.TARGET, `Where the ${route} route forwards to`),
      institutions: {
        env: variables.INSTITUTIONS,
        description: `Institutions whose webhooks the ${route} route forwards`,
        pattern: "^\\s*[A-Za-z0-9_]+(\\s*,\\s*[A-Za-z0-9_]+)*\\s*$",
        patternHint: "a comma-separated list of institution codes (01MIT_INST)",
        optional: true,
      },
    });
    const loaded = loadPlugins([plugin], env);
    const [active] = loaded.active;
    const targetMissing = active
      ? []
      : [
          `${variables.TARGET} is not set, but the ${route} route needs it because ${variables.EVENTS} is set.`,
        ];
    const all = [...loaded.problems, ...targetMissing, ...own];
    problems.push(...all);
    const settings = active?.settings ?? { target: "", institutions: env[variables.INSTITUTIONS] ?? "" };
    routes.push(all.length > 0 ? activatePlugin(plugin, settings, all) : (active as ActivePlugin));
    if (all.length === 0 && targetKindOf(settings.target ?? "") === "queue") {
      warnings.push(
        `The ${route} route forwards to a standard queue: SQS does not deduplicate there, so a redelivered webhook is delivered twice. Use a FIFO queue (.fifo) for exactly-once.`,
      );
    }
  }
  return { routes, warnings, problems };
}
