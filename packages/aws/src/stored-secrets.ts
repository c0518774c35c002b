import type { Logger, SecretSource } from "@alma-webhooks/core";
import type { Clock } from "./deadline.js";
import { SecretFetchTimeoutError } from "./errors.js";

/** A webhook secret kept in a store, read at run time: a Secrets Manager secret or an SSM parameter. */
export interface StoredSecret {
  readonly store: "secrets-manager" | "ssm";
  /** The secret's ARN, or the parameter's name or ARN. */
  readonly id: string;
}

/**
 * Where the webhook secrets come from: each a value from the environment or a stored secret.
 *
 * @example
 * ```ts
 * const settings: SecretSettings = { current: { store: "ssm", id: "/alma/secret" }, previous: [] };
 * ```
 */
export interface SecretSettings {
  readonly current: string | StoredSecret;
  /** Comma-separated when stored, as in ALMA_PREVIOUS_CHALLENGE_SECRETS. */
  readonly previous: readonly string[] | StoredSecret;
  /** A stored value is a JSON object, and the secret is under this key. */
  readonly jsonField?: string;
}

/**
 * The secrets of a comma-separated list (ALMA_PREVIOUS_CHALLENGE_SECRETS, or its stored value).
 *
 * @example
 * ```ts
 * splitSecrets("old-one,older-one"); // ["old-one", "older-one"]
 * ```
 */
export const splitSecrets = (value: string): string[] => value.split(",").filter((s) => s.trim() !== "");

/** Reads one stored secret's value, bypassing any cache: what {@link createStoredSecrets} caches. */
export type ReadSecret = (secret: StoredSecret) => Promise<string>;

/**
 * How secrets are read and kept. A read runs in the request path (the first signed request of a cold start,
 * or after a mismatch) ahead of the dispatch's own 3 s: it is cut off, as a failure (503), after `readMs`,
 * so the answer still leaves inside Alma's 5 s. A rotation is looked for at most once per `refreshMs`; a
 * failed read is tried again after `retryMs`, not by every request.
 */
export const SECRET_READS = Object.freeze({ readMs: 1200, refreshMs: 60_000, retryMs: 5000 });

/** The SDK settings of the stores' clients: two attempts, each inside {@link SECRET_READS}' `readMs`. */
export const SECRET_CLIENT = Object.freeze({
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 300, requestTimeout: 500, throwOnRequestTimeout: true },
});

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SecretFetchTimeoutError(`${what} was not read within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The router's secrets when one of them is stored: read on first use (the handler asks at cold start) and
 * kept, read again after a signature matched none when the last read is a minute old (a rotation takes
 * effect without a redeploy), and again after a failed read once `retryMs` has passed. A value set in the
 * environment is used as it is, next to the stored one.
 *
 * @example
 * ```ts
 * const source = createStoredSecrets(configuration.secrets, readWithPowertools(), systemClock, logger);
 * ```
 */
export function createStoredSecrets(
  settings: SecretSettings,
  read: ReadSecret,
  clock: Clock,
  logger: Logger,
): SecretSource {
  const readOne = async (secret: StoredSecret): Promise<string> => {
    const value = await within(read(secret), SECRET_READS.readMs, `${secret.store} ${secret.id}`);
    return settings.jsonField === undefined ? value : fieldOf(value, settings.jsonField, secret);
  };
  async function readAll(): Promise<readonly string[]> {
    const { current, previous } = settings;
    const [value, older] = await Promise.all([
      typeof current === "string" ? current : readOne(current),
      Array.isArray(previous) ? previous : readOne(previous as StoredSecret).then(splitSecrets),
    ]);
    return [value, ...(older as readonly string[])];
  }
  let cached: Promise<readonly string[]> | undefined;
  let readAt = Number.NEGATIVE_INFINITY;
  let failedAt: number | undefined;
  function load(): Promise<readonly string[]> {
    readAt = clock.now();
    failedAt = undefined;
    const loading = readAll();
    cached = loading;
    loading.catch(() => {
      if (cached === loading) failedAt = clock.now();
    });
    return loading;
  }
  return {
    current() {
      const retry = failedAt !== undefined && clock.now() - failedAt >= SECRET_READS.retryMs;
      return cached === undefined || retry ? load() : cached;
    },
    async refresh() {
      if (clock.now() - readAt < SECRET_READS.refreshMs) return undefined;
      const before = await cached?.catch(() => undefined);
      if (before === undefined) return load();
      // Secrets that work stay in use when this read fails: only this request is answered 503.
      readAt = clock.now();
      const fresh = await readAll();
      cached = Promise.resolve(fresh);
      if (before[0] !== fresh[0]) logger.info("The webhook secret was read again: a new one is in use");
      return fresh;
    },
  };
}

/** The secret under `field` of a stored JSON object; anything else is a failed read (503), naming no value. */
function fieldOf(value: string, field: string, secret: StoredSecret): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const found = (parsed as Record<string, unknown> | undefined)?.[field];
  if (typeof found !== "string") {
    throw new TypeError(`${secret.store} ${secret.id} is not a JSON object with a text '${field}'`);
  }
  return found;
}

/**
 * Reads stored secrets with Powertools for AWS Lambda (parameters): Secrets Manager's `GetSecretValue` (the
 * `SecretString`) and SSM's `GetParameter` with decryption. Each store's provider and client are imported and
 * built on first use, so a function whose secret is in its environment never loads them. Powertools' own
 * cache is bypassed (`forceFetch`): {@link createStoredSecrets} decides when to read. `AWS_ENDPOINT_URL_SECRETS_MANAGER`
 * and `AWS_ENDPOINT_URL_SSM` point the clients elsewhere (the tests' local endpoint).
 *
 * @example
 * ```ts
 * const value = await readWithPowertools()({ store: "ssm", id: "/alma/webhook-secret" });
 * ```
 */
export function readWithPowertools(): ReadSecret {
  const providers = new Map<StoredSecret["store"], Promise<(id: string) => Promise<unknown>>>();
  const providerOf = (store: StoredSecret["store"]) => {
    let provider = providers.get(store);
    if (provider === undefined) {
      provider = (async () => {
        if (store === "ssm") {
          const { SSMProvider } = await import("@aws-lambda-powertools/parameters/ssm");
          const ssm = new SSMProvider({ clientConfig: SECRET_CLIENT });
          return (id: string) => ssm.get(id, { decrypt: true, forceFetch: true });
        }
        const { SecretsProvider } = await import("@aws-lambda-powertools/parameters/secrets");
        const secrets = new SecretsProvider({ clientConfig: SECRET_CLIENT });
        return (id: string) => secrets.get(id, { forceFetch: true });
      })();
      provider.catch(() => providers.delete(store));
      providers.set(store, provider);
    }
    return provider;
  };
  return async (secret) => {
    const value = await (await providerOf(secret.store))(secret.id);
    if (typeof value !== "string") throw new TypeError(`${secret.store} ${secret.id} holds no text secret`);
    return value;
  };
}
