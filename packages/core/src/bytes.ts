/**
 * A body's bytes, as core hands them over: at run time always a Node `Buffer`. Typed as Node's `Buffer` when
 * Node's types are loaded (`@types/node`), as a `Uint8Array` otherwise, so that core's published types
 * compile in a project without Node's types (a Fetch API server, TypeScript 7's `types: []` default)
 * rather than leaving the bytes silently `any`.
 *
 * @example
 * ```ts
 * const text = new TextDecoder().decode(rawBody); // with or without Node's types
 * ```
 */
export type BodyBytes = typeof globalThis extends {
  Buffer: {
    /** Node's `Buffer.isBuffer`: its type guard names Node's `Buffer` type, when Node's types are loaded. */
    isBuffer(obj: unknown): obj is infer B;
  };
}
  ? B
  : Uint8Array;
