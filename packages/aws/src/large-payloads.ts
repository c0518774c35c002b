// The claim check: a body too large for its target goes to S3, and the target gets a small pointer to it.
import { createHash } from "node:crypto";
import type { DISPATCH_BUDGET } from "./deadline.js";
import { S3ObjectStore } from "./s3-object-store.js";

/**
 * The one key of the pointer that replaces a body too large for its target: a consumer that finds it
 * reads the body from S3 (`s3:GetObject` on the bucket).
 *
 * @example
 * ```ts
 * const pointer = JSON.parse(message.Body)[LARGE_PAYLOAD_KEY]; // { bucket, key, size, sha256 } or undefined
 * ```
 */
export const LARGE_PAYLOAD_KEY = "alma-webhooks-large-payload";

/** Where a large body is: its bucket and key, its size in bytes and its SHA-256 (hex). */
export interface LargePayloadPointer {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
}

/** The object key of a delivery's body: from the delivery's name (the execution name), so a retry rewrites it. */
export const largePayloadKey = (name: string): string => `alma-webhooks/${name}.json`;

/**
 * Writes bodies too large for their target to the bucket `ALMA_LARGE_PAYLOAD_BUCKET` with `PutObject` (the
 * S3 client is imported at the first one: most deployments never load it), within {@link DISPATCH_BUDGET}.
 * A retry writes the same object again, which is harmless, so the SDK's retries stay on. With an endpoint
 * override (`AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`, for an emulator) it addresses buckets by path.
 *
 * @example
 * ```ts
 * const store = new LargePayloadStore("my-bucket", systemClock);
 * const pointer = await store.put("loans-loan-20241106T150000-abc", body, Date.now() + 3000);
 * ```
 */
export class LargePayloadStore extends S3ObjectStore {
  /** Writes the body; resolves with its pointer, or rejects with the SDK's error. */
  async put(name: string, body: string, budgetEnd: number): Promise<LargePayloadPointer> {
    const key = largePayloadKey(name);
    const bytes = Buffer.from(body, "utf8");
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    await this.putObject(key, bytes, { "alma-webhook-id": name, sha256 }, budgetEnd);
    return { bucket: this.bucket, key, size: bytes.length, sha256 };
  }
}
