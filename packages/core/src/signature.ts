import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * The header in which Alma sends the body's signature (lowercase, as normalised).
 *
 * @example
 * ```ts
 * const received = request.headers[SIGNATURE_HEADER];
 * ```
 */
export const SIGNATURE_HEADER = "x-exl-signature";

/**
 * Signs a webhook body the way Alma does: base64 of HMAC-SHA256 over the raw body bytes.
 *
 * @example
 * ```ts
 * const body = JSON.stringify(payload);
 * const headers = { "X-Exl-Signature": signBody(body, "itsasecret") };
 * ```
 */
export function signBody(body: Uint8Array | string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

/**
 * Compares two strings in constant time. Both sides are hashed first so that the comparison always runs
 * over 32 bytes: neither a different length nor a different first character returns early.
 *
 * @example
 * ```ts
 * constantTimeEqual(received, expected); // true only when the strings are identical
 * ```
 */
export function constantTimeEqual(received: string, expected: string): boolean {
  const a = createHash("sha256").update(received, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}

/**
 * Options of {@link verifySignature}.
 *
 * @example
 * ```ts
 * const compare = sinon.spy(constantTimeEqual);
 * verifySignature(body, received, secrets, { compare });
 * ```
 */
export interface VerifyOptions {
  /** The comparison to use; tests pass a spy around {@link constantTimeEqual}. */
  readonly compare?: (received: string, expected: string) => boolean;
}

/**
 * Checks a received signature against every active secret (several at once during a rotation). Every
 * secret is tried, even after a match, so the time taken does not reveal which one matched.
 *
 * @example
 * ```ts
 * const ok = verifySignature(request.body, request.headers["x-exl-signature"], ["new", "old"]);
 * ```
 */
export function verifySignature(
  body: Uint8Array,
  received: string | undefined,
  secrets: readonly string[],
  options: VerifyOptions = {},
): boolean {
  const compare = options.compare ?? constantTimeEqual;
  const candidate = received?.trim() ?? "";
  let matched = false;
  for (const secret of secrets) {
    // Non-short-circuit OR: every secret costs the same whether or not an earlier one matched.
    matched = compare(candidate, signBody(body, secret)) || matched;
  }
  return matched && candidate.length > 0;
}
