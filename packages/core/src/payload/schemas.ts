/**
 * JSON schema of the envelope every Alma webhook has: an action.
 *
 * @example
 * ```ts
 * const validate = new Ajv().compile(envelopeSchema);
 * validate({ action: "JOB_END" }); // true
 * ```
 */
export const envelopeSchema = {
  type: "object",
  required: ["action"],
  properties: { action: { type: "string", minLength: 1 } },
} as const;

const code = {
  type: "object",
  required: ["value"],
  properties: { value: { type: "string", minLength: 1 } },
} as const;

/**
 * JSON schema of the JOB_END fields that routing and the plugins use; anything else is allowed through.
 *
 * @example
 * ```ts
 * const validate = new Ajv({ allErrors: true }).compile(jobEndSchema);
 * validate(jobEndPayload()); // true
 * ```
 */
export const jobEndSchema = {
  type: "object",
  required: ["job_instance"],
  properties: {
    job_instance: {
      type: "object",
      required: ["id", "name", "status", "end_time", "counter"],
      properties: {
        id: { type: "string", minLength: 1 },
        name: { type: "string", minLength: 1 },
        status: code,
        end_time: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}" },
        counter: {
          type: "array",
          items: {
            type: "object",
            required: ["type", "value"],
            properties: { type: code, value: { type: "string", pattern: "^[0-9]{1,15}$" } },
          },
        },
      },
    },
  },
} as const;

/**
 * JSON schema of a plugin's settings, as a list of `{ env, value, pattern }` entries: every value a
 * non-empty string matching its own pattern (ajv's `$data`). One schema for every plugin, so it is
 * compiled ahead of time like the others.
 *
 * @example
 * ```ts
 * const entries = [{ env: "PPOD_STATE_MACHINE_ARN", value: arn, pattern: STATE_MACHINE_ARN_PATTERN }];
 * validators.pluginSettings(entries); // true when the ARN is well formed
 * ```
 */
export const pluginSettingsSchema = {
  type: "array",
  items: {
    type: "object",
    required: ["env", "value"],
    properties: {
      env: { type: "string" },
      pattern: { type: "string" },
      value: { type: "string", minLength: 1, pattern: { $data: "1/pattern" } },
    },
  },
} as const;
