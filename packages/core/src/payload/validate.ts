import { InvalidPayloadError } from "../errors.js";
import { type CompiledValidator, refusalsOf } from "./refusal.js";
import type { WebhookPayload } from "./types.js";

/**
 * What {@link validatePayload} found: the payload, valid against its kind's schema, or every problem, each a
 * sentence naming the field.
 *
 * @example
 * ```ts
 * const result: PayloadValidation = await validatePayload(JSON.parse(body));
 * if (!result.valid) console.error(result.problems.join("\n"));
 * ```
 */
export type PayloadValidation =
  | { readonly valid: true; readonly payload: WebhookPayload }
  | { readonly valid: false; readonly problems: readonly string[] };

/**
 * Checks a whole webhook body against its kind's JSON Schema, chosen by its `action` (JOB_END, LOAN, REQUEST,
 * USER, BIB, ITEM, NOTIFICATION; any other action against the schema every webhook meets). Every field the
 * body carries is checked, not only those a decision reads: the router never calls this, since it validates
 * lazily, a step at a time, so that a body answered 200 before is answered 200 still. Use it in tests, tools,
 * or a service that wants the whole body checked. The schemas are published with the package
 * (`@alma-webhooks/core/schemas/job-end.schema.json`, …); their compiled validators are imported on the first
 * call only.
 *
 * @example
 * ```ts
 * const result = await validatePayload({ action: "JOB_END", job_instance: { name: "POD", status: 7 } });
 * // { valid: false, problems: ["job_instance.status must be an object with a 'value'."] }
 * ```
 */
export async function validatePayload(payload: unknown): Promise<PayloadValidation> {
  const validators = (await import("./payload-validators.generated.js")) as unknown as Readonly<
    Record<string, CompiledValidator>
  >;
  const action = (payload as { action?: unknown } | null | undefined)?.action;
  const kind = typeof action === "string" && Object.hasOwn(validators, action) ? action : "WEBHOOK";
  const validate = validators[kind] as CompiledValidator;
  if (validate(payload)) return { valid: true, payload: payload as WebhookPayload };
  // A failure under several schemas of the kind (allOf) is reported once.
  const problems = refusalsOf(validate, payload, "").map(
    ({ field, problem }) => new InvalidPayloadError(field, problem).message,
  );
  return { valid: false, problems: [...new Set(problems)] };
}
