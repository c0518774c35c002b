import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InfraConfigurationError, type PluginDescription } from "./alma-webhooks.js";
import {
  FUNCTION_LIMITS,
  INFRA_VARIABLES,
  type InfraConfiguration,
  readConfiguration,
} from "./configuration.js";
import type { FunctionChecks } from "./lambda-bundle.js";

/** infra/stages, seen from infra/dist/src (compiled) or infra/src. */
export const STAGES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../stages");

/** What stands for the account in a stage file's values when no credentials say which it is. */
export const UNKNOWN_ACCOUNT = "000000000000";

/** How a stage file's value names the account deployed to. */
const ACCOUNT_REFERENCE = "$" + "{AWS_ACCOUNT_ID}";

/** The region a stage deploys to when neither its file, the shell nor the CDK CLI names one. */
export const DEFAULT_REGION = "us-east-1";

/** A Secrets Manager secret name (what `ALMA_CHALLENGE_SECRET_NAME` holds). */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_NAME_SHAPE =
  "a Secrets Manager secret name: letters, digits and /_+=.@- (like alma-webhooks/dev/challenge-secret; its ARN is arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)";

/** A route variable of the function (`ALMA_FORWARD_<ROUTE>_*`), and infra's own `_KMS_KEY_ARN`. */
const ROUTE_VARIABLE = /^ALMA_FORWARD_[A-Z0-9][A-Z0-9_]*_(TARGET|EVENTS|INSTITUTIONS|KMS_KEY_ARN)$/;

/** Names a stage file may not hold, with what to write instead. */
const REFUSED: Readonly<Record<string, string>> = {
  ALMA_CHALLENGE_SECRET:
    "a secret's value never goes in a stage file: put it in Secrets Manager and name the secret in ALMA_CHALLENGE_SECRET_NAME",
  ALMA_PREVIOUS_CHALLENGE_SECRETS:
    "a secret's value never goes in a stage file: put it in Secrets Manager and name the secret in ALMA_PREVIOUS_CHALLENGE_SECRET_NAME",
  ALMA_CHALLENGE_SECRET_ARN:
    "the stack derives it from ALMA_CHALLENGE_SECRET_NAME (the secret's name, in this account and region): set that instead",
  ALMA_CHALLENGE_SECRET_PARAMETER:
    "this stack reads the secret from Secrets Manager: set ALMA_CHALLENGE_SECRET_NAME",
  ALMA_PREVIOUS_CHALLENGE_SECRETS_ARN:
    "the stack derives it from ALMA_PREVIOUS_CHALLENGE_SECRET_NAME: set that instead",
  ALMA_PREVIOUS_CHALLENGE_SECRETS_PARAMETER:
    "this stack reads secrets from Secrets Manager: set ALMA_PREVIOUS_CHALLENGE_SECRET_NAME",
  ALMA_IDEMPOTENCY_TABLE:
    "the stack creates the delivery ledger's table and sets it: ALMA_LEDGER=on (or off for none)",
  ALMA_INFRA_EXAMPLES: "a stage never takes a plugin's example value: set each setting",
};

/** One `NAME=value` of a stage file, with the line it is on. */
export interface StageEntry {
  readonly value: string;
  readonly line: number;
}

/**
 * Reads a stage file: one `NAME=value` a line (an `export ` before it is allowed), blank lines and lines
 * starting with `#` skipped. A value is everything after the `=`, trimmed; one pair of surrounding quotes
 * (`"…"` or `'…'`) is removed. There is no `#` comment after a value (a job name may hold one).
 *
 * @example
 * ```ts
 * parseStageFile('WORKSPACE=dev\nALMA_POD_EXPORT_JOB_NAME="PPOD EXPORT to Dev1"\n', "dev.env").entries;
 * // Map { "WORKSPACE" => { value: "dev", line: 1 }, "ALMA_POD_EXPORT_JOB_NAME" => { value: "PPOD EXPORT to Dev1", line: 2 } }
 * ```
 */
export function parseStageFile(
  text: string,
  path: string,
): { entries: Map<string, StageEntry>; problems: string[] } {
  const entries = new Map<string, StageEntry>();
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(trimmed);
    if (!match) {
      problems.push(`${path}:${line}: not a NAME=value line: '${trimmed}'.`);
      return;
    }
    const [, name, rest] = match as unknown as [string, string, string];
    let value = rest.trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
      value = value.slice(1, -1);
    }
    const earlier = entries.get(name);
    if (earlier) problems.push(`${path}:${line}: ${name} is set again (first on line ${earlier.line}).`);
    entries.set(name, { value, line });
  });
  return { entries, problems };
}

/** A stage file refused: every problem found, at once. */
export class StageError extends Error {
  override readonly name = "StageError";
  constructor(
    readonly problems: readonly string[],
    where = "the stage",
  ) {
    super(
      problems.length === 1
        ? (problems[0] as string)
        : `${where} has ${problems.length} problems:\n- ${problems.join("\n- ")}`,
    );
  }
}

/** A plugin of the bundle as the stage has it. */
export interface StagePlugin {
  readonly name: string;
  readonly on: boolean;
  /** The variable that turns it on (its job name), and its value when set. */
  readonly activatedBy?: string;
  readonly jobName?: string;
  readonly target?: string;
}

/** A stage, checked: what the stack deploys, and what the plan shows. */
export interface Stage {
  readonly name: string;
  /** The stage file, relative to the working directory. */
  readonly path: string;
  readonly configuration: InfraConfiguration;
  readonly plugins: readonly StagePlugin[];
  /** The settings that came from the shell, not the file. */
  readonly fromShell: readonly string[];
  /** The function loader's warnings, and the stage's own. */
  readonly warnings: readonly string[];
  readonly region: string;
  /** The account the values' `${AWS_ACCOUNT_ID}` stands for; undefined when no credentials said which. */
  readonly account?: string;
}

export interface LoadStageOptions {
  readonly stage: string;
  readonly checks: FunctionChecks;
  /** The shell's (and CDK context's) variables: a name the stack or the function reads overrides the file. */
  readonly shell: Readonly<Record<string, string | undefined>>;
  readonly stagesDir?: string;
  /** The account, when credentials (or the CDK CLI) said which. */
  readonly account?: string;
  /** The CDK CLI's region, used when neither the file nor the shell sets `AWS_REGION`. */
  readonly region?: string;
}

/** The stage files in a directory, by name. */
export function stageNames(stagesDir = STAGES_DIR): string[] {
  if (!existsSync(stagesDir)) return [];
  return readdirSync(stagesDir)
    .filter((file) => file.endsWith(".env"))
    .map((file) => file.slice(0, -".env".length))
    .sort();
}

/**
 * Reads and checks a stage: its file, overridden by the shell, checked by the function's own configuration
 * loader (so a missing or misspelled setting, or an ARN not in its shape, is refused before anything is
 * deployed) and by the stack's settings; a stage that turns on no plugin and no route is refused unless it
 * says `ALMA_INTENTIONALLY_EMPTY=true`. Throws a {@link StageError} listing every problem; calls no AWS API.
 *
 * @example
 * ```ts
 * const stage = loadStage({ stage: "dev", checks: await loadFunctionChecks(), shell: process.env });
 * ```
 */
export function loadStage(options: LoadStageOptions): Stage {
  const stagesDir = options.stagesDir ?? STAGES_DIR;
  const available = stageNames(stagesDir);
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(options.stage)) {
    throw new StageError([
      `'${options.stage}' is not a stage name (stages: ${available.join(", ") || "none"}).`,
    ]);
  }
  const file = join(stagesDir, `${options.stage}.env`);
  // As the repository root sees it (infra/stages/dev.env), wherever make runs the plan from.
  const fromRoot = relative(resolve(STAGES_DIR, "../.."), file);
  const path = fromRoot.startsWith("..") ? file : fromRoot;
  if (!existsSync(file)) {
    throw new StageError([
      `There is no stage file ${path} (stages: ${available.join(", ") || "none"}). A new stage is a copy of one: cp ${join(dirname(path), "dev.env")} ${path}`,
    ]);
  }
  const { entries, problems } = parseStageFile(readFileSync(file, "utf8"), path);
  const { checks } = options;
  const pluginNames = checks.plugins.flatMap((plugin) =>
    Object.values(plugin.settings).map((spec) => spec.env),
  );
  const stackNames = Object.keys(INFRA_VARIABLES).filter((name) => /^[A-Z0-9_]+$/.test(name));
  const known = [...new Set([...checks.shellVariables, ...pluginNames, ...stackNames])].filter(
    (name) => !(name in REFUSED),
  );
  for (const [name, { line }] of entries) {
    if (name in REFUSED) {
      problems.push(`${path}:${line}: ${name}: ${REFUSED[name]}.`);
    } else if (!known.includes(name) && !ROUTE_VARIABLE.test(name)) {
      // A name cut short or run long (PPOD_STATE_MACHINE for PPOD_STATE_MACHINE_ARN) is beyond an edit distance.
      const suggestion =
        checks.closestName(name, known) ??
        known.find((candidate) => candidate.startsWith(name) || name.startsWith(candidate));
      problems.push(
        `${path}:${line}: ${name} is not a setting of the function, its plugins (${checks.plugins.map((plugin) => plugin.name).join(", ")}) or the stack${suggestion ? `: did you mean ${suggestion}?` : " (see infra/README.md#configuration)"}`,
      );
    }
  }

  // The shell overrides the file, for the names the function or the stack reads.
  const values: Record<string, string> = {};
  for (const [name, { value }] of entries) if (!(name in REFUSED)) values[name] = value;
  const fromShell: string[] = [];
  const overridable = new Set([
    ...known,
    ...entries.keys(),
    ...Object.keys(options.shell).filter((name) => ROUTE_VARIABLE.test(name)),
  ]);
  for (const name of overridable) {
    const value = options.shell[name];
    if (value === undefined || name in REFUSED) continue;
    if (values[name] !== value) fromShell.push(name);
    values[name] = value;
  }

  const region = values.AWS_REGION?.trim() || options.region || DEFAULT_REGION;
  const account = options.account;
  for (const [name, value] of Object.entries(values)) {
    values[name] = value.replace(/\$\{([A-Za-z0-9_]*)\}/g, (reference, variable: string) => {
      if (variable === "AWS_ACCOUNT_ID") return account ?? UNKNOWN_ACCOUNT;
      if (variable === "AWS_REGION") return region;
      problems.push(
        `${name}: ${reference} is not known; a value may use \${AWS_ACCOUNT_ID} and \${AWS_REGION}.`,
      );
      return reference;
    });
  }

  // The function's own loader, on the environment the stack would give the function.
  const secretName = values.ALMA_CHALLENGE_SECRET_NAME?.trim();
  const previousName = values.ALMA_PREVIOUS_CHALLENGE_SECRET_NAME?.trim();
  const secretArn = (name: string) =>
    `arn:aws:secretsmanager:${region}:${account ?? UNKNOWN_ACCOUNT}:secret:${name}`;
  const environment: Record<string, string> = {};
  for (const name of [
    "WORKSPACE",
    "ALMA_CHALLENGE_SECRET_JSON_FIELD",
    "SENTRY_DSN",
    ...FUNCTION_LIMITS,
    ...pluginNames,
  ]) {
    if (values[name] !== undefined) environment[name] = values[name];
  }
  for (const [name, value] of Object.entries(values)) {
    if (ROUTE_VARIABLE.test(name) && !name.endsWith("_KMS_KEY_ARN")) environment[name] = value;
  }
  if (!secretName) {
    problems.push(
      `ALMA_CHALLENGE_SECRET_NAME is not set: name the Secrets Manager secret that holds the webhook secret (like alma-webhooks/${options.stage}/challenge-secret).`,
    );
  } else if (!SECRET_NAME.test(secretName)) {
    problems.push(`ALMA_CHALLENGE_SECRET_NAME is not ${SECRET_NAME_SHAPE}: '${secretName}'.`);
  }
  if (previousName !== undefined && previousName !== "" && !SECRET_NAME.test(previousName)) {
    problems.push(`ALMA_PREVIOUS_CHALLENGE_SECRET_NAME is not ${SECRET_NAME_SHAPE}: '${previousName}'.`);
  }
  // The secret's place is checked above; the loader gets a well-formed one so it does not report it twice.
  environment.ALMA_CHALLENGE_SECRET_ARN = secretArn(
    secretName && SECRET_NAME.test(secretName) ? secretName : "unset",
  );
  if (previousName && SECRET_NAME.test(previousName)) {
    environment.ALMA_PREVIOUS_CHALLENGE_SECRETS_ARN = secretArn(previousName);
  }
  let active: FunctionChecksResult = { plugins: [], warnings: [] };
  try {
    const loaded = checks.loadConfiguration(environment, checks.plugins);
    problems.push(...loaded.problems);
    active = { plugins: loaded.plugins, warnings: loaded.warnings };
  } catch (error) {
    const listed = (error as { problems?: unknown }).problems;
    if (!Array.isArray(listed)) throw error;
    problems.push(...(listed as string[]));
  }

  // The stack's own settings, from the same values (nothing made up: examples off). readConfiguration stops
  // at the first fault; the setting it names is set aside and the rest read again, so every fault is listed.
  let configuration: InfraConfiguration | undefined;
  const stackValues: Record<string, string> = { ...values };
  if (!secretName || !SECRET_NAME.test(secretName)) stackValues.ALMA_CHALLENGE_SECRET_NAME = "reported-above";
  for (let attempt = 0; attempt < 32 && configuration === undefined; attempt++) {
    try {
      configuration = readConfiguration(
        (name) => (name === "ALMA_INFRA_EXAMPLES" ? "off" : stackValues[name]),
        checks.plugins,
        Object.keys(stackValues),
      );
    } catch (error) {
      if (!(error instanceof InfraConfigurationError)) throw error;
      problems.push(error.message);
      const culprit = /^([A-Z][A-Z0-9_]*)/.exec(error.message)?.[1];
      if (culprit === undefined || stackValues[culprit] === undefined) break;
      delete stackValues[culprit];
    }
  }
  if (
    problems.length === 0 &&
    configuration &&
    active.plugins.length === 0 &&
    !configuration.intentionallyEmpty
  ) {
    problems.push(
      `Stage ${options.stage} (${path}) turns on no plugin and no route: deployed, it would answer every webhook 'no action taken' and start or forward nothing. Set a plugin's job name and state machine (${describeActivators(checks.plugins)}) or a route (ALMA_FORWARD_<ROUTE>_TARGET and _EVENTS); or, if a stage that does nothing is what you mean, ALMA_INTENTIONALLY_EMPTY=true.`,
    );
  }
  if (problems.length > 0 || configuration === undefined) {
    throw new StageError(problems, `Stage ${options.stage} (${path})`);
  }

  const plugins = checks.plugins.map((plugin): StagePlugin => {
    const activatedBy = plugin.activatedBy ? plugin.settings[plugin.activatedBy]?.env : undefined;
    const on = active.plugins.find((candidate) => candidate.name === plugin.name);
    const jobName = activatedBy ? values[activatedBy]?.trim() || undefined : undefined;
    return {
      name: plugin.name,
      on: on !== undefined,
      ...(activatedBy ? { activatedBy } : {}),
      ...(jobName ? { jobName } : {}),
      ...(on?.target ? { target: on.target } : {}),
    };
  });
  const warnings = active.warnings.filter(
    (warning) => !warning.startsWith("No plugin or forward route is active"),
  );
  if (account === undefined) {
    const uses = [...entries]
      .filter(([, entry]) => entry.value.includes(ACCOUNT_REFERENCE))
      .map(([name]) => name);
    if (uses.length > 0) {
      warnings.push(
        `The AWS account is not known (no AWS answer yet): \${AWS_ACCOUNT_ID} in ${uses.join(", ")} stands as ${UNKNOWN_ACCOUNT} here; cdk deploy fills in the real one.`,
      );
    }
  }
  return {
    name: options.stage,
    path,
    configuration,
    plugins,
    fromShell: fromShell.sort(),
    warnings,
    region,
    ...(account ? { account } : {}),
  };
}

interface FunctionChecksResult {
  readonly plugins: readonly { readonly name: string; readonly target: string }[];
  readonly warnings: readonly string[];
}

function describeActivators(plugins: readonly PluginDescription[]): string {
  return plugins
    .flatMap((plugin) => (plugin.activatedBy ? [plugin.settings[plugin.activatedBy]?.env ?? ""] : []))
    .filter((name) => name !== "")
    .join(", ");
}
