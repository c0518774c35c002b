// The kept bytes of webhooks that were not delivered (ALMA_UNDELIVERED_BUCKET): what a redelivery reads.
import { createHash } from "node:crypto";
import { S3ObjectStore } from "./s3-object-store.js";

/**
 * What an id of a kept webhook may be: the characters of a webhook identity (`20241106T144310-6219…`,
 * `body-<hash>`), so an id can never name an object outside the `undelivered/` prefix.
 *
 * @example
 * ```ts
 * KEPT_ID.test("20241106T144310-6219373120004761"); // true
 * ```
 */
export const KEPT_ID = /^[0-9A-Za-z_-]{1,200}$/;

/**
 * The object key of a kept webhook: `undelivered/<id>.json`, one per webhook id, so Alma's retries of the
 * same webhook rewrite one object.
 *
 * @example
 * ```ts
 * undeliveredKey("20241106T144310-6219373120004761"); // "undelivered/20241106T144310-6219373120004761.json"
 * ```
 */
export const undeliveredKey = (id: string): string => `undelivered/${id}.json`;

/**
 * One kept webhook: its exact bytes (base64) and everything needed to check them again and say why they
 * are here. The bytes are never logged; only this object holds them.
 *
 * @example
 * ```ts
 * const kept: KeptWebhook = { format: 1, id, reason: "invalid-body", receivedAt, headers, body, isBase64Encoded: true, sha256, size };
 * ```
 */
export interface KeptWebhook {
  /** The layout of this object: 1. */
  readonly format: 1;
  /** The webhook's id: its identity, or `body-<hash>` for one refused before it was named. */
  readonly id: string;
  /** Why it was not delivered (core's `NotDeliveredReason`). */
  readonly reason: string;
  /** The decision's detail (the refusal's reason or the error), if any. */
  readonly detail?: string;
  /** When the request that brought it arrived (ISO 8601). */
  readonly receivedAt: string;
  readonly requestId?: string;
  /** The headers as received, names lower-cased: `x-exl-signature` and `content-type` among them. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body's bytes, base64: exactly what Alma signed. */
  readonly body: string;
  readonly isBase64Encoded: true;
  /** SHA-256 (hex) and size of the bytes, to check them. */
  readonly sha256: string;
  readonly size: number;
  /** Set by a redelivery that delivered it: when, and how it was answered. */
  readonly redelivered?: { readonly at: string; readonly statusCode: number; readonly outcome: string };
}

/** What {@link UndeliveredStore.keep} is given. */
export interface UndeliveredWebhook {
  readonly id: string;
  readonly reason: string;
  readonly detail?: string;
  readonly receivedAt: number;
  readonly requestId?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * The bucket of webhooks that were not delivered (`ALMA_UNDELIVERED_BUCKET`, created by the stack with SSE,
 * TLS only, no public access and a lifecycle expiry): `keep` writes one JSON object per webhook id under
 * `undelivered/`, `read` gets it back for a redelivery, `markRedelivered` writes it again with the
 * redelivery's answer (the function may only read and write the bucket: the object stays until the
 * lifecycle rule expires it). The S3 client is imported at the first call; every call is bounded by the
 * deadline it is given.
 *
 * @example
 * ```ts
 * const store = new UndeliveredStore("alma-undelivered", systemClock);
 * await store.keep({ id, reason: "invalid-body", receivedAt: Date.now(), headers, body }, Date.now() + 800);
 * ```
 */
export class UndeliveredStore extends S3ObjectStore {
  private async put(kept: KeptWebhook, budgetEnd: number): Promise<void> {
    await this.putObject(
      undeliveredKey(kept.id),
      JSON.stringify(kept),
      { "alma-webhook-id": kept.id, reason: kept.reason },
      budgetEnd,
    );
  }

  /** Writes the webhook's bytes and facts; resolves with the object key, or rejects with the SDK's error. */
  async keep(webhook: UndeliveredWebhook, budgetEnd: number): Promise<string> {
    if (!KEPT_ID.test(webhook.id)) throw new TypeError(`'${webhook.id}' is not a webhook id`);
    await this.put(
      {
        format: 1,
        id: webhook.id,
        reason: webhook.reason,
        ...(webhook.detail ? { detail: webhook.detail } : {}),
        receivedAt: new Date(webhook.receivedAt).toISOString(),
        ...(webhook.requestId ? { requestId: webhook.requestId } : {}),
        headers: webhook.headers,
        body: webhook.body.toString("base64"),
        isBase64Encoded: true,
        sha256: createHash("sha256").update(webhook.body).digest("hex"),
        size: webhook.body.length,
      },
      budgetEnd,
    );
    return undeliveredKey(webhook.id);
  }

  /** The kept webhook of an id, or undefined when there is none; rejects on any other failure. */
  async read(id: string, budgetEnd: number): Promise<KeptWebhook | undefined> {
    if (!KEPT_ID.test(id)) return undefined;
    const text = await this.getObject(undeliveredKey(id), budgetEnd);
    if (text === undefined) return undefined;
    const kept = JSON.parse(text) as KeptWebhook;
    const bytes = Buffer.from(kept.body, "base64");
    if (
      kept.format !== 1 ||
      kept.id !== id ||
      createHash("sha256").update(bytes).digest("hex") !== kept.sha256
    )
      throw new TypeError(
        `${undeliveredKey(id)} in ${this.bucket} is not a kept webhook, or its bytes changed`,
      );
    return kept;
  }

  /** Writes the kept webhook again with the answer of the redelivery that delivered it. */
  async markRedelivered(
    kept: KeptWebhook,
    answer: KeptWebhook["redelivered"],
    budgetEnd: number,
  ): Promise<void> {
    await this.put({ ...kept, ...(answer ? { redelivered: answer } : {}) }, budgetEnd);
  }
}
