import { raceDeadline } from "./deadline.js";
import { NoSecretError } from "./errors.js";
import type { WebhookRequest } from "./http/request.js";
import { SIGNATURE_HEADER, verifySignature } from "./signature.js";

/**
 * Where the router gets its webhook secrets when they are not fixed strings: a secret store read at run
 * time, so that a rotated secret is taken without a restart. The rule it serves: a webhook signed with a
 * secret that the store holds is never answered 401.
 *
 * - `current` may cache (it is called for every signed request, never for one without a signature); it
 *   rejects when no secret can be had, and the request is answered 503 (Alma retries).
 * - `refresh`, when given, is called once after a signature matched none of the current secrets. It
 *   resolves to secrets read from the store after that mismatch: when they match none either, the store
 *   does not hold the secret and the answer is 401. It rejects when the read fails, and resolves to
 *   `undefined` when it will not read again yet (it decides how often): both are answered 503, since the
 *   store may hold a secret that was not read.
 *
 * @example
 * ```ts
 * let cached: Promise<string[]> | undefined;
 * const source: SecretSource = {
 *   current: () => (cached ??= readSecretsFromMyStore()),
 *   refresh: async () => (cached = readSecretsFromMyStore()),
 * };
 * createWebhookRouter({ secrets: source, workspace: "prod", plugins, dispatcher });
 * ```
 */
export interface SecretSource {
  /** The secrets in use, current first; may be cached. Rejects when none can be had (answered 503). */
  current(): Promise<readonly string[]> | readonly string[];
  /**
   * After a signature matched none: secrets read since (none matching: 401), or `undefined` when the source
   * will not read again yet (503). Rejects when the read fails (503).
   */
  refresh?(): Promise<readonly string[] | undefined>;
}

/**
 * The `secrets` router option: the secrets themselves, or a {@link SecretSource}.
 *
 * @example
 * ```ts
 * const secrets: Secrets = process.env.ALMA_CHALLENGE_SECRET ? [process.env.ALMA_CHALLENGE_SECRET] : source;
 * ```
 */
export type Secrets = readonly string[] | SecretSource;

const usable = (secrets: readonly string[]): readonly string[] => {
  const kept = secrets.filter((secret) => typeof secret === "string" && secret.length > 0);
  if (kept.length === 0) throw new NoSecretError("the secret source returned no non-empty secret");
  return kept;
};

/**
 * Whether the request carries Alma's signature under one of the secrets. A request without a signature is
 * refused at once, without asking a source. A source is asked again (its `refresh`) once when the current
 * secrets match none. Rejects (answered 503) when the source fails, gives no usable secret, or will not
 * read again yet.
 */
export async function checkSignature(
  request: WebhookRequest,
  secrets: Secrets,
  deadline?: number,
  now: () => number = Date.now,
): Promise<boolean> {
  const received = request.headers[SIGNATURE_HEADER];
  if (received === undefined || received.trim() === "") return false;
  if (Array.isArray(secrets)) return verifySignature(request.body, received, secrets as readonly string[]);
  const source = secrets as SecretSource;
  // A read that outlasts the webhook's time budget is a 503 for this webhook; it goes on for the next ones.
  const inTime = <T>(read: Promise<T> | T): Promise<T> =>
    deadline === undefined
      ? Promise.resolve(read)
      : raceDeadline(Promise.resolve(read), deadline - now(), (): never => {
          throw new NoSecretError("The webhook secrets were not read within the webhook's time budget.");
        });
  if (verifySignature(request.body, received, usable(await inTime(source.current())))) return true;
  if (source.refresh === undefined) return false;
  const fresh = await inTime(source.refresh());
  if (fresh === undefined) {
    throw new NoSecretError(
      "The signature matches none of the webhook secrets, and the secret source will not read them again yet: answered 503 so that Alma retries.",
    );
  }
  return verifySignature(request.body, received, usable(fresh));
}
