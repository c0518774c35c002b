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
