/**
 * One value per key, made on first use and kept: a dispatcher's SDK clients, one per region (the endpoint
 * and the signature are regional), so connections are reused for the life of the process.
 *
 * @example
 * ```ts
 * const clientFor = perKey((region) => new SQSClient({ region }));
 * ```
 */
export function perKey<V>(make: (key: string) => V): (key: string) => V {
  const made = new Map<string, V>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) {
      value = make(key);
      made.set(key, value);
    }
    return value;
  };
}
