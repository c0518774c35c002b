import { InvalidPayloadError } from "../errors.js";
import { type CompiledValidator, check } from "./refusal.js";
import type * as Schema from "./schema-types.generated.js";
import { fieldValue } from "./step-validators.generated.js";

export type {
  BibPayload,
  ItemPayload,
  LoanPayload,
  NotificationPayload,
  RequestPayload,
  UserPayload,
} from "./schema-types.generated.js";

import type { JobEndPayload, WebhookPayload } from "./types.js";

/**
 * A record inside a webhook body: the fields plugins commonly read, typed (all optional: read them with
 * {@link readField} to have them checked); everything else as it came.
 *
 * @example
 * ```ts
 * const loan: AlmaRecord<"loan_id"> | undefined = payload.item_loan;
 * ```
 */
export type AlmaRecord<Fields extends string> = { readonly [F in Fields]?: string } & {
  readonly [field: string]: unknown;
};

/**
 * The typed payload of each Alma webhook action; any other action is a plain {@link WebhookPayload}.
 *
 * @example
 * ```ts
 * type Loan = PayloadOf<"LOAN">; // LoanPayload
 * ```
 */
export type PayloadOf<A extends string> = A extends "LOAN"
  ? Schema.LoanPayload
  : A extends "REQUEST"
    ? Schema.RequestPayload
    : A extends "USER"
      ? Schema.UserPayload
      : A extends "BIB"
        ? Schema.BibPayload
        : A extends "ITEM"
          ? Schema.ItemPayload
          : A extends "NOTIFICATION"
            ? Schema.NotificationPayload
            : A extends "JOB_END"
              ? JobEndPayload
              : WebhookPayload;

/**
 * Reads a field a decision needs, by its dotted path, as a string: a missing or malformed field becomes a 400
 * answer naming it (the webhook is not retried). Numbers are given as their decimal text. Read fields only
 * when the decision needs them: Alma's bodies vary, and a field nothing reads is never checked.
 *
 * @example
 * ```ts
 * readField(payload, "item_loan.loan_id");      // "12345", or a 400 "item_loan.loan_id is required."
 * readField(payload, "webhook_user.user.primary_id");
 * ```
 */
export function readField(payload: WebhookPayload, path: string): string {
  let node: unknown = payload;
  const parts = path.split(".");
  parts.forEach((part, index) => {
    if (node === undefined || node === null) throw new InvalidPayloadError(path, "is required");
    if (typeof node !== "object" || Array.isArray(node)) {
      throw new InvalidPayloadError(parts.slice(0, index).join("."), "must be an object");
    }
    node = (node as Record<string, unknown>)[part];
  });
  // The path is whichever a plugin reads, so the walk is code; the value's rule is the schema's
  // (webhook.schema.json, $defs/fieldValue).
  check(fieldValue as unknown as CompiledValidator, node, path);
  return typeof node === "string" ? node : String(node);
}

/** The webhook's `event.value` (`LOAN_CREATED`), or a bare `event` string; undefined when it has none. */
export function eventValueOf(payload: WebhookPayload): string | undefined {
  const { event } = payload;
  if (typeof event === "string") return event;
  if (
    typeof event === "object" &&
    event !== null &&
    typeof (event as { value?: unknown }).value === "string"
  ) {
    return (event as { value: string }).value;
  }
  return undefined;
}
