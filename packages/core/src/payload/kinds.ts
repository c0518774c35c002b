import { InvalidPayloadError } from "../errors.js";
import type { AlmaCode, JobEndPayload, WebhookPayload } from "./types.js";

/** Fields every Alma webhook carries besides its action: all optional, read only when a step needs them. */
interface Envelope {
  /** The webhook's own id (not the job's or the record's). */
  readonly id?: string;
  readonly institution?: AlmaCode;
  /** When Alma sent it, ISO 8601. */
  readonly time?: string;
  /** What happened to the record: `LOAN_CREATED`, `BIB_UPDATED`, … */
  readonly event?: AlmaCode;
}

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
 * A LOAN webhook (`LOAN_CREATED`, `LOAN_RENEWED`, `LOAN_DUE_DATE`, `LOAN_RETURNED`, `LOAN_LOST`, …): the loan
 * is in `item_loan`.
 *
 * @example
 * ```ts
 * buildExecution: (payload: LoanPayload) => ({ input: { loan: readField(payload, "item_loan.loan_id") }, name })
 * ```
 */
export interface LoanPayload extends WebhookPayload, Envelope {
  readonly action: "LOAN";
  readonly item_loan?: AlmaRecord<
    "loan_id" | "user_id" | "item_barcode" | "title" | "due_date" | "loan_status"
  >;
}

/**
 * A REQUEST webhook (`REQUEST_CREATED`, `REQUEST_CANCELED`, `REQUEST_CLOSED`, …): the request is in
 * `user_request`.
 *
 * @example
 * ```ts
 * const requestId = readField(payload, "user_request.request_id");
 * ```
 */
export interface RequestPayload extends WebhookPayload, Envelope {
  readonly action: "REQUEST";
  readonly user_request?: AlmaRecord<
    "request_id" | "user_primary_id" | "request_type" | "request_status" | "title"
  >;
}

/**
 * A USER webhook (`USER_CREATED`, `USER_UPDATED`, `USER_DELETED`): the user is in `webhook_user.user`.
 *
 * @example
 * ```ts
 * const primaryId = readField(payload, "webhook_user.user.primary_id");
 * ```
 */
export interface UserPayload extends WebhookPayload, Envelope {
  readonly action: "USER";
  readonly webhook_user?: {
    readonly user?: AlmaRecord<"primary_id">;
    readonly method?: string;
    readonly cause?: string;
  };
}

/**
 * A BIB webhook (`BIB_CREATED`, `BIB_UPDATED`, `BIB_DELETED`): the bibliographic record is in `bib`.
 *
 * @example
 * ```ts
 * const mmsId = readField(payload, "bib.mms_id");
 * ```
 */
export interface BibPayload extends WebhookPayload, Envelope {
  readonly action: "BIB";
  readonly bib?: AlmaRecord<"mms_id" | "title" | "author" | "record_format">;
}

/**
 * An ITEM webhook (`ITEM_CREATED`, `ITEM_UPDATED`, `ITEM_DELETED`): the item is in `item`, with `bib_data`,
 * `holding_data` and `item_data`.
 *
 * @example
 * ```ts
 * const barcode = readField(payload, "item.item_data.barcode");
 * ```
 */
export interface ItemPayload extends WebhookPayload, Envelope {
  readonly action: "ITEM";
  readonly item?: {
    readonly bib_data?: AlmaRecord<"mms_id" | "title">;
    readonly holding_data?: AlmaRecord<"holding_id">;
    readonly item_data?: AlmaRecord<"pid" | "barcode">;
  };
}

/**
 * A NOTIFICATION webhook: a general notice from Alma, in `notification`.
 *
 * @example
 * ```ts
 * const description = readField(payload, "notification.description");
 * ```
 */
export interface NotificationPayload extends WebhookPayload, Envelope {
  readonly action: "NOTIFICATION";
  readonly notification?: AlmaRecord<"description">;
}

/**
 * The typed payload of each Alma webhook action; any other action is a plain {@link WebhookPayload}.
 *
 * @example
 * ```ts
 * type Loan = PayloadOf<"LOAN">; // LoanPayload
 * ```
 */
export type PayloadOf<A extends string> = A extends "LOAN"
  ? LoanPayload
  : A extends "REQUEST"
    ? RequestPayload
    : A extends "USER"
      ? UserPayload
      : A extends "BIB"
        ? BibPayload
        : A extends "ITEM"
          ? ItemPayload
          : A extends "NOTIFICATION"
            ? NotificationPayload
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
  if (node === undefined || node === null) throw new InvalidPayloadError(path, "is required");
  if (typeof node === "string" && node.trim() !== "") return node;
  if (typeof node === "number" && Number.isFinite(node)) return String(node);
  throw new InvalidPayloadError(path, "must be a non-empty string");
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
