import { KEPT_ID, type KeptWebhook, type UndeliveredStore } from "@alma-webhooks/aws";
import { type HttpResponse, type Logger, messageOf } from "@alma-webhooks/core";

/**
 * The direct-invoke event of a redelivery (contract C3): ids only. The function reads each id's kept bytes
 * from its own bucket (`ALMA_UNDELIVERED_BUCKET`) and routes them as if Alma had sent them again.
 *
 * @example
 * ```ts
 * const event: RedeliveryEvent = { redeliver: { ids: ["20241106T144310-6219373120004761"] } };
 * ```
 */
export interface RedeliveryEvent {
  readonly redeliver: { readonly ids: readonly string[] };
}

/** One id's answer: the HTTP answer its kept webhook got, and the decision's outcome. */
export interface RedeliveryResult {
  readonly id: string;
  readonly statusCode: number;
  readonly body: string;
  readonly outcome: string;
}

/**
 * The answer to a redelivery event (contract C3): one result per id, in order; `error` (and no results)
 * when the event itself is refused.
 *
 * @example
 * ```ts
 * const answer: RedeliveryAnswer = { results: [{ id, statusCode: 200, body: "…", outcome: "handled" }] };
 * ```
 */
export interface RedeliveryAnswer {
  readonly results: readonly RedeliveryResult[];
  readonly error?: string;
}

/** The most ids one event may name: each is routed in turn inside the function's timeout. */
export const MAX_REDELIVERY_IDS = 20;
/**
 * An id is tried only with at least this much of the invocation left (1.2 s of it for the read and the
 * dispatch, the rest for the steps after the decision): the rest are answered 503 "not tried", to be
 * invoked again. An id started short of time could time out, and its ledger claim would hold a retry off
 * for a minute.
 */
export const REDELIVERY_MIN_LEFT_MS = 2_000;

const isDict = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Whether an event is a redelivery, and if so its ids or why it is refused. Only a direct invoke
 * (`lambda:InvokeFunction`, an IAM permission) can carry one: a Function URL's event is built by Lambda, with
 * the HTTP body as a string under `body` and `requestContext.http` beside it, so no request sent to the
 * URL has a top-level `redeliver`; an event with both is refused. Anything beyond ids (a body, headers, a
 * signature) is refused: the bytes redelivered are only ever the ones the function kept itself.
 *
 * @example
 * ```ts
 * redeliveryOf({ redeliver: { ids: ["a"] } }); // { ids: ["a"] }
 * redeliveryOf({ redeliver: { ids: ["a"], body: "{}" } }); // { refused: "…" }
 * redeliveryOf({ version: "2.0", requestContext: { http: { method: "POST" } } }); // undefined
 * ```
 */
export function redeliveryOf(
  event: unknown,
): { readonly ids: readonly string[] } | { readonly refused: string } | undefined {
  if (!isDict(event) || !Object.hasOwn(event, "redeliver")) return undefined;
  const extra = Object.keys(event).filter((key) => key !== "redeliver");
  if (extra.length > 0)
    return { refused: `A redelivery event holds 'redeliver' only; it also held ${extra.join(", ")}.` };
  const { redeliver } = event;
  if (!isDict(redeliver))
    return { refused: `'redeliver' must be an object: {"redeliver": {"ids": ["<webhook id>", ...]}}.` };
  const fields = Object.keys(redeliver).filter((key) => key !== "ids");
  if (fields.length > 0) {
    return {
      refused: `A redelivery names webhook ids only; it may not carry ${fields.join(", ")}: the function redelivers only the bytes it kept itself.`,
    };
  }
  const { ids } = redeliver;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_REDELIVERY_IDS)
    return { refused: `'redeliver.ids' must list 1 to ${MAX_REDELIVERY_IDS} webhook ids.` };
  const wrong = ids.filter((id) => typeof id !== "string" || !KEPT_ID.test(id));
  if (wrong.length > 0)
    return {
      refused: `Not webhook ids (letters, digits, '-' and '_'): ${wrong.map((id) => JSON.stringify(id)).join(", ")}.`,
    };
  return { ids: [...new Set(ids as string[])] };
}

/** The Function URL event of a kept webhook: its bytes and headers as received. */
export const eventOfKept = (kept: KeptWebhook): Record<string, unknown> => ({
  version: "2.0",
  rawPath: "/",
  requestContext: { http: { method: "POST" }, requestId: `redeliver-${kept.id}` },
  headers: kept.headers,
  body: kept.body,
  isBase64Encoded: true,
});

/** What {@link redeliver} needs of the handler. */
export interface RedeliveryServices {
  readonly store: UndeliveredStore | null;
  readonly logger: Logger;
  /** Starts the next webhook's share of the invocation (its one deadline); the milliseconds it has. */
  readonly beginNext: () => number;
  /** When the read of a kept object must end. */
  readonly readBy: () => number;
  /** Routes one webhook event as an HTTP invocation would (keeper, history, metrics); its outcome. */
  readonly serve: (event: Record<string, unknown>) => Promise<{ response: HttpResponse; outcome: string }>;
  readonly markBy: () => number;
  /** The one clock: when a redelivery happened. */
  readonly now: () => number;
}

const ROTATED =
  "The kept webhook's signature matches none of the current webhook secrets: the secret was rotated after it " +
  "was received. Add the secret it was signed with to the previous secrets (ALMA_PREVIOUS_CHALLENGE_SECRETS or " +
  "its stored form) and redeliver again; nothing was delivered.";

/**
 * Redelivers kept webhooks, one id after the other: reads the id's object, routes its bytes through the
 * router (the signature is checked again with the current secrets; the identity is the same, so the ledger,
 * execution names and FIFO ids keep anything already delivered from repeating), and marks an object whose
 * redelivery was answered 200.
 *
 * @example
 * ```ts
 * const answer = await redeliver(["20241106T144310-6219373120004761"], services);
 * ```
 */
export async function redeliver(
  ids: readonly string[],
  services: RedeliveryServices,
): Promise<RedeliveryAnswer> {
  const { store, logger } = services;
  if (store === null) {
    return {
      error:
        "ALMA_UNDELIVERED_BUCKET is not set: this function keeps no webhooks, so none can be redelivered.",
      results: [],
    };
  }
  const results: RedeliveryResult[] = [];
  for (const id of ids) {
    if (services.beginNext() < REDELIVERY_MIN_LEFT_MS) {
      results.push({
        id,
        statusCode: 503,
        body: "Not tried: the invocation ran out of time. Redeliver this id again.",
        outcome: "not-tried",
      });
      continue;
    }
    let kept: KeptWebhook | undefined;
    try {
      kept = await store.read(id, services.readBy());
    } catch (error) {
      logger.error("redelivery: the kept webhook could not be read", { id, error: messageOf(error) });
      results.push({
        id,
        statusCode: 503,
        body: `The kept webhook could not be read from bucket ${store.bucket}: ${messageOf(error)}`,
        outcome: "unreadable",
      });
      continue;
    }
    if (kept === undefined) {
      results.push({
        id,
        statusCode: 404,
        body: `No webhook with id ${id} is kept in bucket ${store.bucket}.`,
        outcome: "not-found",
      });
      continue;
    }
    const { response, outcome } = await services.serve(eventOfKept(kept));
    const body = response.statusCode === 401 ? ROTATED : response.body;
    results.push({ id, statusCode: response.statusCode, body, outcome });
    logger.info("redelivered", { id, statusCode: response.statusCode, outcome });
    if (response.statusCode === 200) {
      const at = new Date(services.now()).toISOString();
      await store
        .markRedelivered(kept, { at, statusCode: response.statusCode, outcome }, services.markBy())
        .catch((error: unknown) =>
          logger.warn("redelivered, but the kept object was not marked", { id, error: messageOf(error) }),
        );
    }
  }
  return { results };
}
