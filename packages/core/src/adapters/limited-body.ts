/** A body read up to a limit: all of it, or how much was seen when it went past. */
export type LimitedBody =
  | { readonly complete: true; readonly body: Uint8Array }
  | { readonly complete: false; readonly body: Uint8Array; readonly bodyBytes: number };

/** A declared `content-length`, when it is a plain decimal number. */
export function declaredLength(value: string | readonly string[] | null | undefined): number | undefined {
  const text = typeof value === "string" ? value.trim() : undefined;
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/**
 * Reads chunks until the end, or stops as soon as they pass `limit`: never holds more than `limit` bytes
 * plus one chunk. The caller answers 413 from `bodyBytes` without reading the rest.
 */
export async function readLimited(chunks: AsyncIterable<Uint8Array>, limit: number): Promise<LimitedBody> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > limit) return { complete: false, body: new Uint8Array(0), bodyBytes: size };
    parts.push(chunk);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return { complete: true, body };
}
