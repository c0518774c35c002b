import type { JobEndPayload, WebhookEnvelope } from "./types.js";
import * as generated from "./validators.generated.js";

/**
 * One problem a compiled schema found, in ajv's shape.
 *
 * @example
 * ```ts
 * if (!validators.envelope(data)) for (const error of validators.envelope.errors ?? []) console.log(error.instancePath);
 * ```
 */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly message?: string;
}

/**
 * A schema compiled by ajv ahead of time: a type guard that leaves its problems in `errors`.
 *
 * @example
 * ```ts
 * const validate: CompiledValidator<WebhookEnvelope> = validators.envelope;
 * if (validate(data)) console.log(data.action);
 * ```
 */
export interface CompiledValidator<T> {
  (data: unknown): data is T;
  readonly errors?: readonly SchemaError[] | null;
}

/**
 * A plugin setting as validated: its variable, its value, and the pattern the value must match.
 *
 * @example
 * ```ts
 * const entry: SettingEntry = { env: "PPOD_STATE_MACHINE_ARN", value: arn, pattern: STATE_MACHINE_ARN_PATTERN };
 * validators.pluginSettings([entry]);
 * ```
 */
export interface SettingEntry {
  readonly env: string;
  readonly value: string | undefined;
  readonly pattern?: string;
}

/**
 * Core's schemas, compiled by ajv when the package is built (scripts/generate-validators.mjs), so that no
 * schema is compiled while a Lambda starts or answers.
 *
 * @example
 * ```ts
 * validators.jobEnd(payload); // true for a JOB_END body with the fields routing uses
 * ```
 */
export const validators = {
  envelope: generated.envelope as unknown as CompiledValidator<WebhookEnvelope>,
  jobEnd: generated.jobEnd as unknown as CompiledValidator<JobEndPayload>,
  pluginSettings: generated.pluginSettings as unknown as CompiledValidator<readonly SettingEntry[]>,
};
