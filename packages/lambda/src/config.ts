import {
  type ActivePlugin,
  type CompiledValidator,
  ConfigurationError,
  DEFAULT_MAX_BODY_BYTES,
  type Environment,
  type JobPlugin,
  loadPlugins,
} from "@alma-webhooks/core";
import { shellConfiguration } from "./config-validator.generated.js";

/** The deployment's configuration, read once per cold start. */
export interface Configuration {
  /** `dev`, `stage` or `prod`: only jobs whose name contains it are acted on. */
  readonly workspace: string;
  /** The current webhook secret first, then previous ones still accepted during a rotation. */
  readonly secrets: readonly string[];
  readonly plugins: readonly ActivePlugin[];
  /** Non-fatal findings, logged at start: inactive plugins. */
  readonly warnings: readonly string[];
  readonly sentryDsn?: string;
  readonly maxBodyBytes: number;
}

/** The shell's own variables (each plugin declares its own), with what they mean. */
export const SHELL_VARIABLES = {
  WORKSPACE: "Runtime environment: dev, stage or prod. Required.",
  ALMA_CHALLENGE_SECRET: "The webhook secret configured in Alma. Required.",
  ALMA_PREVIOUS_CHALLENGE_SECRETS: "Comma-separated secrets still accepted during a rotation. Optional.",
  SENTRY_DSN: "Sentry DSN; when set, unexpected errors go to Sentry with environment = WORKSPACE. Optional.",
  ALMA_WEBHOOK_MAX_BODY_BYTES: `Largest body accepted, in bytes; default ${DEFAULT_MAX_BODY_BYTES} (Lambda's limit). Optional.`,
} as const;

const HINTS: Record<string, string> = {
  WORKSPACE: "a word of up to 32 letters, digits, '-' or '_' (dev, stage, prod)",
  SENTRY_DSN: "a Sentry DSN (https://<key>@<host>/<project>)",
  ALMA_WEBHOOK_MAX_BODY_BYTES: "a positive whole number of bytes",
};

// The schema (config-schema.ts) is compiled by ajv when the package is built, not at cold start.
const validateShell = shellConfiguration as unknown as CompiledValidator<Record<string, string>>;

/** The shell's problems, and its warnings: a malformed SENTRY_DSN only turns error reporting off. */
function checkShell(values: Record<string, string>): { problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (validateShell(values)) return { problems, warnings };
  for (const error of validateShell.errors ?? []) {
    const name = error.instancePath.slice(1);
    if (error.keyword === "required") {
      problems.push(`Required env variable ${String(error.params.missingProperty)} is not set`);
    } else if (name === "SENTRY_DSN") {
      // Its value may hold a key, so it is not repeated; the webhook itself stays up.
      warnings.push(`Env variable SENTRY_DSN is not ${HINTS[name]}: Sentry error reporting is off.`);
    } else {
      problems.push(`Env variable ${name} is not ${HINTS[name] ?? "valid"}: '${values[name]}'`);
    }
  }
  return { problems, warnings };
}

/**
 * Reads and validates the configuration from the environment: the shell's variables with a schema
 * compiled by ajv, then every plugin's settings. Throws one {@link ConfigurationError} that lists every
 * problem found. Unset and empty variables are treated alike. A malformed `SENTRY_DSN` is a warning, not
 * a problem: error reporting is off, the webhook is not.
 *
 * @example
 * ```ts
 * const configuration = loadConfiguration(process.env, jobPlugins);
 * ```
 */
export function loadConfiguration(env: Environment, plugins: readonly JobPlugin<string>[]): Configuration {
  const values = Object.fromEntries(
    Object.keys(SHELL_VARIABLES).flatMap((name) => {
      const value = env[name]?.trim();
      return value ? [[name, value]] : [];
    }),
  );
  const loaded = loadPlugins(plugins, env);
  const shell = checkShell(values);
  const problems = [...shell.problems, ...loaded.problems];
  if (problems.length > 0) throw new ConfigurationError(problems);
  const previous = (values.ALMA_PREVIOUS_CHALLENGE_SECRETS ?? "")
    .split(",")
    .map((secret) => secret.trim())
    .filter((secret) => secret.length > 0);
  const warnings = [...shell.warnings, ...loaded.warnings];
  if (loaded.active.length === 0)
    warnings.push("No job plugin is active: every job will be answered 'no action taken'.");
  return {
    workspace: values.WORKSPACE as string,
    secrets: [values.ALMA_CHALLENGE_SECRET as string, ...previous],
    plugins: loaded.active,
    warnings,
    ...(values.SENTRY_DSN && shell.warnings.length === 0 ? { sentryDsn: values.SENTRY_DSN } : {}),
    maxBodyBytes: values.ALMA_WEBHOOK_MAX_BODY_BYTES
      ? Number(values.ALMA_WEBHOOK_MAX_BODY_BYTES)
      : DEFAULT_MAX_BODY_BYTES,
  };
}
