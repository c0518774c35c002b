import {
  loadForwardRoutes,
  ROUTE_VARIABLES,
  routeVariableSuggestion,
  type SecretSettings,
  type StoredSecret,
  splitSecrets,
} from "@alma-webhooks/aws";
import { PARAMETER_PATTERN, SECRET_ARN_PATTERN } from "@alma-webhooks/aws/arn";
import {
  type ActivePlugin,
  ConfigurationError,
  closestName,
  DEFAULT_MAX_BODY_BYTES,
  type Environment,
  loadPlugins,
  misspelledVariables,
  type WebhookPlugin,
} from "@alma-webhooks/core";

/** The deployment's configuration, read once per cold start. */
export interface Configuration {
  /** `dev`, `stage` or `prod`: only jobs whose name contains it are acted on. */
  readonly workspace: string;
  /**
   * The webhook secrets: the current one first, then previous ones still accepted during a rotation; each a
   * value exactly as set in the environment, or a secret to read from Secrets Manager or SSM at run time.
   */
  readonly secrets: SecretSettings;
  /**
   * Every configured plugin, then every forward route (`ALMA_FORWARD_<ROUTE>_*`, as a plugin); one whose
   * settings are invalid is registered broken (its jobs and events are answered 500).
   */
  readonly plugins: readonly ActivePlugin[];
  /** Non-fatal findings, logged at every cold start. */
  readonly warnings: readonly string[];
  /** The plugins' and routes' invalid settings, logged at every cold start; each breaks its own plugin only. */
  readonly problems: readonly string[];
  readonly sentryDsn?: string;
  readonly maxBodyBytes: number;
  readonly maxEventAgeMs?: number;
}

/** Where the current and the previous webhook secrets come from. */

/** The secret of the development set-up (the original README's); never one a deployed function may use. */
export const DEVELOPMENT_SECRET = "itsasecret";

/** Shorter secrets are warned about: Alma accepts any, but a short one can be guessed. */
export const MIN_SECRET_LENGTH = 16;

/** The shell's own variables (each plugin declares its own), with what they mean. */
export const SHELL_VARIABLES = {
  WORKSPACE: "Runtime environment: dev, stage or prod. Required.",
  ALMA_CHALLENGE_SECRET: `The webhook secret configured in Alma, used exactly as set (surrounding spaces included). Required, unless ALMA_CHALLENGE_SECRET_ARN or ALMA_CHALLENGE_SECRET_PARAMETER says where it is stored. In Lambda, the development secret '${DEVELOPMENT_SECRET}' is refused, and a secret shorter than ${MIN_SECRET_LENGTH} characters is warned about.`,
  ALMA_CHALLENGE_SECRET_ARN:
    "ARN of the Secrets Manager secret whose SecretString is the webhook secret: read at cold start (never kept in the function's configuration), and again after a signature matches none (at most every 5 s; meanwhile 503, never 401), so a rotation needs no redeploy. Instead of ALMA_CHALLENGE_SECRET.",
  ALMA_CHALLENGE_SECRET_PARAMETER:
    "Name or ARN of the SSM SecureString parameter holding the webhook secret, read as ALMA_CHALLENGE_SECRET_ARN is. Instead of ALMA_CHALLENGE_SECRET.",
  ALMA_CHALLENGE_SECRET_JSON_FIELD:
    "For a stored secret whose value is a JSON object: the key that holds the webhook secret (the previous secrets' too). Optional.",
  ALMA_PREVIOUS_CHALLENGE_SECRETS:
    "Comma-separated secrets still accepted during a rotation, each used exactly as set. Optional.",
  ALMA_PREVIOUS_CHALLENGE_SECRETS_ARN:
    "ARN of a Secrets Manager secret holding ALMA_PREVIOUS_CHALLENGE_SECRETS (comma-separated), read as ALMA_CHALLENGE_SECRET_ARN is. Optional.",
  ALMA_PREVIOUS_CHALLENGE_SECRETS_PARAMETER:
    "Name or ARN of an SSM SecureString parameter holding ALMA_PREVIOUS_CHALLENGE_SECRETS, read the same way. Optional.",
  SENTRY_DSN: "Sentry DSN; when set, unexpected errors go to Sentry with environment = WORKSPACE. Optional.",
  ALMA_WEBHOOK_MAX_BODY_BYTES: `Largest body accepted, in bytes; default ${DEFAULT_MAX_BODY_BYTES} (Lambda's limit). Optional.`,
  ALMA_WEBHOOK_MAX_EVENT_AGE:
    "Oldest webhook acted on, like 7d, 12h or 90m (its `time`, or the job's `end_time`); older ones are answered 200 'too old' and start nothing. Unset: no limit. Optional.",
} as const;

type ShellVariable = keyof typeof SHELL_VARIABLES;

const SECRET_ARN = new RegExp(SECRET_ARN_PATTERN);
const SECRET_ARN_HINT =
  "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)";
const PARAMETER = new RegExp(PARAMETER_PATTERN);

/** Exactly one place for a secret: its value, a Secrets Manager ARN or an SSM parameter. */
function secretSetting(
  values: Partial<Record<ShellVariable, string>>,
  name: "ALMA_CHALLENGE_SECRET" | "ALMA_PREVIOUS_CHALLENGE_SECRETS",
  problems: string[],
): string | StoredSecret | undefined {
  const arn = values[`${name}_ARN`];
  const parameter = values[`${name}_PARAMETER`];
  const set = [name, `${name}_ARN`, `${name}_PARAMETER`].filter((key) => values[key as ShellVariable]);
  if (set.length > 1) problems.push(`Set one of ${set.join(", ")}, not several: they name the same secret`);
  if (arn !== undefined) return { store: "secrets-manager", id: arn };
  if (parameter !== undefined) return { store: "ssm", id: parameter };
  return values[name];
}

/** What each shell variable must look like, when set. */
const FORMS: Partial<Record<ShellVariable, { readonly pattern: RegExp; readonly hint: string }>> = {
  WORKSPACE: {
    pattern: /^[A-Za-z0-9_-]{1,32}$/,
    hint: "a word of up to 32 letters, digits, '-' or '_' (dev, stage, prod)",
  },
  // Self-hosted Sentry may serve under a path: https://key@host/sentry/42.
  SENTRY_DSN: {
    pattern: /^https?:\/\/[^@\s]+@[^/\s]+(?:\/\S*)?\/\d+$/,
    hint: "a Sentry DSN (https://<key>@<host>/<project>)",
  },
  ALMA_CHALLENGE_SECRET_ARN: { pattern: SECRET_ARN, hint: SECRET_ARN_HINT },
  ALMA_PREVIOUS_CHALLENGE_SECRETS_ARN: { pattern: SECRET_ARN, hint: SECRET_ARN_HINT },
  ALMA_CHALLENGE_SECRET_PARAMETER: { pattern: PARAMETER, hint: "an SSM parameter name or ARN" },
  ALMA_PREVIOUS_CHALLENGE_SECRETS_PARAMETER: { pattern: PARAMETER, hint: "an SSM parameter name or ARN" },
  ALMA_WEBHOOK_MAX_BODY_BYTES: { pattern: /^[1-9][0-9]{0,9}$/, hint: "a positive whole number of bytes" },
  ALMA_WEBHOOK_MAX_EVENT_AGE: {
    pattern: /^[1-9][0-9]{0,5}[smhd]$/,
    hint: "a duration like 7d, 12h, 90m or 3600s",
  },
};

/** ALMA_PREVIOUS_CHALLENGE_SECRETS, set or stored: comma-separated, each kept exactly, blank ones dropped. */

/** The workspaces of this deployment's environments; another one is allowed, and warned about. */
const KNOWN_WORKSPACES = ["dev", "stage", "prod"];

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const durationMs = (value: string): number =>
  Number(value.slice(0, -1)) * UNIT_MS[value.slice(-1) as keyof typeof UNIT_MS];

/**
 * Reads and validates the configuration from the environment: the shell's variables, then every plugin's
 * settings. A fault of the shell (no WORKSPACE, no secret, a malformed limit) makes nothing verifiable: it
 * throws one {@link ConfigurationError} listing every problem, the plugins' included. A plugin's invalid
 * setting breaks that plugin only: it is listed in `problems`. A malformed `SENTRY_DSN` only turns error
 * reporting off. Unset and empty variables are treated alike.
 *
 * @example
 * ```ts
 * const configuration = loadConfiguration(process.env, deployedPlugins);
 * ```
 */
export function loadConfiguration(env: Environment, plugins: readonly WebhookPlugin[]): Configuration {
  const values: Partial<Record<ShellVariable, string>> = {};
  for (const name of Object.keys(SHELL_VARIABLES) as ShellVariable[]) {
    const value = env[name];
    // Secrets are used exactly as set; other values (their ARNs and parameter names too) are trimmed.
    const kept =
      name === "ALMA_CHALLENGE_SECRET" || name === "ALMA_PREVIOUS_CHALLENGE_SECRETS" ? value : value?.trim();
    if (kept !== undefined && kept.trim() !== "") values[name] = kept;
  }
  const problems: string[] = [];
  const warnings: string[] = [];
  if (values.WORKSPACE === undefined) problems.push("Required env variable WORKSPACE is not set");
  const current = secretSetting(values, "ALMA_CHALLENGE_SECRET", problems);
  const storedPrevious = secretSetting(values, "ALMA_PREVIOUS_CHALLENGE_SECRETS", problems);
  if (current === undefined) {
    // The wording of the drop-in; ALMA_CHALLENGE_SECRET_ARN or _PARAMETER would do instead (README).
    problems.push("Required env variable ALMA_CHALLENGE_SECRET is not set");
  }
  for (const [name, form] of Object.entries(FORMS) as [ShellVariable, { pattern: RegExp; hint: string }][]) {
    const value = values[name];
    if (value === undefined || form.pattern.test(value)) continue;
    if (name === "SENTRY_DSN") {
      // Its value may hold a key, so it is not repeated; the webhook itself stays up.
      warnings.push(`Env variable SENTRY_DSN is not ${form.hint}: Sentry error reporting is off.`);
      delete values.SENTRY_DSN;
    } else {
      problems.push(`Env variable ${name} is not ${form.hint}: '${value}'`);
    }
  }
  const secret = typeof current === "string" ? current : undefined;
  const previous =
    typeof storedPrevious === "object" ? [] : splitSecrets(values.ALMA_PREVIOUS_CHALLENGE_SECRETS ?? "");
  if (env.AWS_LAMBDA_FUNCTION_NAME) {
    // Every accepted secret, the previous ones of a rotation included: any of them can sign a webhook.
    const accepted: [string, string][] = [
      ...(secret === undefined ? [] : [["ALMA_CHALLENGE_SECRET", secret] as [string, string]]),
      ...previous.map((value): [string, string] => ["ALMA_PREVIOUS_CHALLENGE_SECRETS", value]),
    ];
    for (const [name, value] of accepted) {
      if (value === DEVELOPMENT_SECRET) {
        problems.push(
          `${name} holds the published development secret '${DEVELOPMENT_SECRET}': set the secret configured in Alma`,
        );
      } else if (value.length < MIN_SECRET_LENGTH) {
        warnings.push(
          `${name} holds a secret shorter than ${MIN_SECRET_LENGTH} characters: use a longer secret in Alma.`,
        );
      }
    }
  }
  const loaded = loadPlugins(plugins, env);
  const forwards = loadForwardRoutes(env, new Set(plugins.map((plugin) => plugin.name)));
  const pluginProblems = [...loaded.problems, ...forwards.problems];
  if (problems.length > 0) throw new ConfigurationError([...problems, ...pluginProblems]);
  const workspace = values.WORKSPACE as string;
  if (!KNOWN_WORKSPACES.includes(workspace.toLowerCase())) {
    warnings.push(
      `WORKSPACE '${workspace}' is not one of ${KNOWN_WORKSPACES.join(", ")}: only jobs whose name contains '${workspace}' are acted on${closestName(workspace, KNOWN_WORKSPACES, 3) ? ` (did you mean ${closestName(workspace, KNOWN_WORKSPACES, 3)}?)` : ""}.`,
    );
  }
  const known = [
    ...Object.keys(SHELL_VARIABLES),
    ...plugins.flatMap((p) => Object.values(p.settings).map((s) => s.env)),
  ];
  for (const { name, suggestion } of misspelledVariables(env, known, routeVariableSuggestion)) {
    warnings.push(
      `${name} is set but not read: did you mean ${suggestion}? (${Object.keys(ROUTE_VARIABLES).join(", ")} and the configuration table are read)`,
    );
  }
  warnings.push(...loaded.warnings, ...forwards.warnings);
  const active = [...loaded.active, ...forwards.routes];
  for (const active of loaded.active) {
    if (active.plugin.jobMatcher === undefined) continue;
    const spec = active.plugin.settings[active.plugin.activatedBy];
    const jobName = active.settings[active.plugin.activatedBy] ?? "";
    // Only an exact name is the whole job name: a prefix or a pattern may match names that contain WORKSPACE.
    const exact = active.plugin.jobMatcher(active.settings).exactName !== undefined;
    if (spec && exact && !jobName.toLowerCase().includes(workspace.toLowerCase())) {
      warnings.push(
        `${active.name} plugin can never start: its job name '${jobName}' (${spec.env}) does not contain WORKSPACE '${workspace}', and only jobs whose name does are acted on.`,
      );
    }
  }
  if (active.length === 0) {
    warnings.push("No plugin or forward route is active: every job will be answered 'no action taken'.");
  }
  return {
    workspace,
    secrets: {
      current: current as string | StoredSecret,
      previous: typeof storedPrevious === "object" ? storedPrevious : previous,
      ...(values.ALMA_CHALLENGE_SECRET_JSON_FIELD
        ? { jsonField: values.ALMA_CHALLENGE_SECRET_JSON_FIELD }
        : {}),
      // A stored value is checked when read, as the environment's are here.
      ...(env.AWS_LAMBDA_FUNCTION_NAME
        ? { developmentSecret: DEVELOPMENT_SECRET, minLength: MIN_SECRET_LENGTH }
        : {}),
    },
    plugins: active,
    warnings,
    problems: pluginProblems,
    ...(values.SENTRY_DSN ? { sentryDsn: values.SENTRY_DSN } : {}),
    maxBodyBytes: values.ALMA_WEBHOOK_MAX_BODY_BYTES
      ? Number(values.ALMA_WEBHOOK_MAX_BODY_BYTES)
      : DEFAULT_MAX_BODY_BYTES,
    ...(values.ALMA_WEBHOOK_MAX_EVENT_AGE
      ? { maxEventAgeMs: durationMs(values.ALMA_WEBHOOK_MAX_EVENT_AGE) }
      : {}),
  };
}
