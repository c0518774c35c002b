import { NoSecretError } from "./errors.js";
import type { WebhookRequest } from "./http/request.js";
import { SIGNATURE_HEADER, verifySignature } from "./signature.js";

/**
 * Where the router gets its webhook secrets when they are not fixed strings: a secret store read at run
 * time, so that a rotated secret is taken without a restart. `current` may cache (it is called for every
 * signed request); it rejects when no secret can be had, and the request is answered 503 (Alma retries),
 * never 401. `refresh`, when given, is called once after a signature matched none of the current secrets:
 * it returns fresher secrets, or `undefined` when the source will not look again yet (it decides how often).
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
  /** After a signature matched none: fresher secrets, or `undefined` when the source will not look again yet. */
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
 * Whether the request carries Alma's signature under one of the secrets; a source is asked again (its
 * `refresh`) once when the current secrets match none. Rejects only when the source fails.
 */
export async function checkSignature(request: WebhookRequest, secrets: Secrets): Promise<boolean> {
  const received = request.headers[SIGNATURE_HEADER];
  if (Array.isArray(secrets)) return verifySignature(request.body, received, secrets as readonly string[]);
  const source = secrets as SecretSource;
  if (verifySignature(request.body, received, usable(await source.current()))) return true;
  const fresh = await source.refresh?.();
  return fresh !== undefined && verifySignature(request.body, received, usable(fresh));
}
