import { type Logger, raceDeadline, type SecretSource } from "@alma-webhooks/core";
import type { Clock } from "./deadline.js";
import { SecretFetchTimeoutError, UnusableSecretError } from "./errors.js";

/** A webhook secret kept in a store, read at run time: a Secrets Manager secret or an SSM parameter. */
export interface StoredSecret {
  readonly store: "secrets-manager" | "ssm";
  /** The secret's ARN, or the parameter's name or ARN. */
  readonly id: string;
}

/**
 * Where the webhook secrets come from: each a value from the environment or a stored secret, and how a stored
 * value is checked (in Lambda, as the environment's values are).
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
  /** A stored value equal to this (the published development secret) is refused: a failed read. */
  readonly developmentSecret?: string;
  /** A stored secret shorter than this is warned about, once. */
  readonly minLength?: number;
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
 * How secrets are read. A read runs in the request path (the first signed request of a cold start, or after
 * a mismatch), inside the webhook's one deadline: it is cut off, as a failure (503), after `readMs` or at the
 * deadline, whichever comes first, so the answer still leaves inside the function's timeout. A store that
 * answers within 1.5 s is read, even at a cold start that first loads the store's client (about 0.3 s). A
 * read starts at most once per `intervalMs`, whether it looks for a rotation
 * after a mismatch or tries again after a failed read.
 */
export const SECRET_READS = Object.freeze({ readMs: 2000, intervalMs: 5000 });

/**
 * The SDK settings of the stores' clients: a store answering in up to 1.8 s is waited for (one attempt takes
 * nearly the whole of `readMs`); a second attempt follows only a fast failure (a reset, a 5xx), inside `readMs`.
 */
export const SECRET_CLIENT = Object.freeze({
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 300, requestTimeout: 1800, throwOnRequestTimeout: true },
});

const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  raceDeadline(promise, ms, (): never => {
    throw new SecretFetchTimeoutError(`${what} was not read within ${ms} ms`);
  });

/**
 * The router's secrets when one of them is stored, under one rule: a webhook signed with a secret that the
 * store holds is never answered 401. A value set in the environment is used as it is, next to the stored one.
 *
 * - The store is read on first use (the handler asks at cold start) and the secrets are kept.
 * - A signature that matches none makes the instance read the store again: one read, shared by every request
 *   that mismatches while it runs (its time and promise are recorded before anything is awaited), and at
 *   most one read per `SECRET_READS.intervalMs` (5 s). Secrets read since the mismatch that still match
 *   none: 401, the store does not hold that secret. Inside the 5 s after the last read, with no read
 *   allowed: 503 (Alma retries), never 401. A read that fails: 503, and the secrets that worked stay in use.
 * - A failed read (no answer within `readMs`, an error, an empty value, JSON without `jsonField`, the
 *   development secret) is not kept: the next request reads again once 5 s have passed since it started;
 *   until then requests are answered 503.
 * - Previous secrets that cannot be read are warned about: the current secret still works, with the
 *   previous ones last read, if any. A stored secret shorter than `minLength` is warned about once.
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
  const { current, previous, jsonField, developmentSecret, minLength = 0 } = settings;
  const warnedShort = new Set<string>();
  const warnedTrimmed = new Set<string>();
  /** A stored value's surrounding whitespace (`--secret-string file://secret.txt` ends in a newline) goes. */
  function trimmed(value: string, where: string): string {
    const kept = value.trim();
    if (kept !== value && !warnedTrimmed.has(where)) {
      warnedTrimmed.add(where);
      logger.warn(`${where} holds a secret with surrounding whitespace: it is used without it.`);
    }
    return kept;
  }
  async function readOne(secret: StoredSecret): Promise<string> {
    const where = `${secret.store} ${secret.id}`;
    const raw = await within(read(secret), SECRET_READS.readMs, where);
    const value = jsonField === undefined ? raw : fieldOf(raw, jsonField, where);
    if (value.trim() === "") throw new UnusableSecretError(`${where} holds an empty secret`);
    return trimmed(value, where);
  }
  function checked(value: string, secret: StoredSecret): string {
    const where = `${secret.store} ${secret.id}`;
    if (value === developmentSecret) {
      throw new UnusableSecretError(
        `${where} holds the published development secret '${developmentSecret}': store the secret configured in Alma`,
      );
    }
    if (value.length < minLength && !warnedShort.has(where)) {
      warnedShort.add(where);
      logger.warn(
        `${where} holds a secret shorter than ${minLength} characters: use a longer secret in Alma.`,
      );
    }
    return value;
  }
  let previousRead: readonly string[] = [];
  const readPrevious = (stored: StoredSecret): Promise<readonly string[]> =>
    readOne(stored)
      .then((value) =>
        splitSecrets(value).map((secret) => checked(trimmed(secret, `${stored.store} ${stored.id}`), stored)),
      )
      .then(
        (secrets) => (previousRead = secrets),
        (error: unknown) => {
          logger.warn(
            "The previous webhook secrets could not be read or used: the current one is still accepted",
            {
              secret: `${stored.store} ${stored.id}`,
              error: error instanceof Error ? error.message : String(error),
            },
          );
          return previousRead;
        },
      );
  async function readAll(): Promise<readonly string[]> {
    const [value, older] = await Promise.all([
      typeof current === "string" ? current : readOne(current).then((value) => checked(value, current)),
      Array.isArray(previous) ? previous : readPrevious(previous as StoredSecret),
    ]);
    return [value, ...(older as readonly string[])];
  }
  let known: readonly string[] | undefined;
  let reading: Promise<readonly string[]> | undefined;
  let failure: unknown;
  let readAt = Number.NEGATIVE_INFINITY;
  function load(): Promise<readonly string[]> {
    // Recorded before any await: every request that mismatches meanwhile shares this read.
    readAt = clock.now();
    const loading = readAll()
      .then(
        (secrets) => {
          if (known !== undefined && known[0] !== secrets[0])
            logger.info("The webhook secret was read again: a new one is in use");
          known = secrets;
          return secrets;
        },
        (error: unknown) => {
          failure = error;
          throw error;
        },
      )
      .finally(() => {
        reading = undefined;
      });
    reading = loading;
    return loading;
  }
  const tooSoon = () => clock.now() - readAt < SECRET_READS.intervalMs;
  return {
    current() {
      if (known !== undefined) return known;
      if (reading !== undefined) return reading;
      return tooSoon() ? Promise.reject(failure) : load();
    },
    refresh() {
      if (reading !== undefined) return reading;
      // Within the interval the store may hold the secret all the same: undefined is answered 503, not 401.
      return tooSoon() ? Promise.resolve(undefined) : load();
    },
  };
}

/** The secret under `field` of a stored JSON object; anything else is a failed read (503), naming no value. */
function fieldOf(value: string, field: string, where: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const found = (parsed as Record<string, unknown> | undefined)?.[field];
  if (typeof found !== "string")
    throw new UnusableSecretError(`${where} is not a JSON object with a text '${field}'`);
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
