/**
 * Time, injectable so tests control it: the one clock of the project (core's router, the AWS shell's
 * dispatchers, ledger and stores, the Lambda handler's budget all take this).
 *
 * @example
 * ```ts
 * const clock: Clock = { now: () => Date.now() };
 * ```
 */
export interface Clock {
  /** The time now, in milliseconds since the epoch (as `Date.now()`). */
  now(): number;
}

/**
 * The real clock.
 *
 * @example
 * ```ts
 * createWebhookRouter({ ...options, now: () => systemClock.now() });
 * ```
 */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * `promise`, or what `timedOut` gives (or throws) once `ms` have passed, whichever comes first: the one
 * deadline race of the project (secret reads, AWS calls, error reports). The timer never outlives the race.
 *
 * @example
 * ```ts
 * const secrets = await raceDeadline(source.current(), 800, () => {
 *   throw new NoSecretError("not read in time");
 * });
 * ```
 */
export function raceDeadline<T, F>(promise: Promise<T>, ms: number, timedOut: () => F): Promise<T | F> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<F>((resolve, reject) => {
    timer = setTimeout(
      () => {
        try {
          resolve(timedOut());
        } catch (error) {
          reject(error);
        }
      },
      Math.max(0, ms),
    );
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
