import { extname } from "node:path";
import { parseArgs } from "node:util";
import { SIGNATURE_HEADER, signBody } from "@alma-webhooks/core";
import { DEFAULT_HOST, DEFAULT_PORT } from "../local/defaults.js";
import { CliError, type CliIo, readPayload, SECRET_OPTIONS, secretOf } from "./io.js";

/** Where `send` and `replay` deliver unless told otherwise: the local server of `make run`. */
export const DEFAULT_URL = `http://${DEFAULT_HOST}:${DEFAULT_PORT}/`;

/** Twice Alma's 5 s: long enough to see a slow answer rather than a timeout. */
const TIMEOUT_MS = 10_000;

/** An HTTP answer, as the CLI prints it. */
export interface Delivery {
  readonly status: number;
  readonly body: string;
  readonly ms: number;
  /** The request id the server gave it (`x-amzn-requestid`, as Function URLs and the local server answer). */
  readonly requestId?: string;
}

/** What {@link deliver} sends: a signed (or deliberately unsigned) POST, or a GET challenge. */
export type DeliveryRequest =
  | {
      readonly kind: "post";
      readonly body: Buffer;
      readonly secret?: string;
      readonly contentType: string;
      /** Sent besides the content type and the signature (the local server's redelivery mark). */
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly kind: "challenge"; readonly challenge: string };

/**
 * Sends one request as Alma would: a POST whose `X-Exl-Signature` is the HMAC of the exact bytes (none
 * when `secret` is undefined), or a GET with the `challenge` query parameter.
 *
 * @throws CliError when the server cannot be reached or does not answer in time.
 * @example
 * ```ts
 * const { status, body } = await deliver("http://127.0.0.1:9000/", { kind: "challenge", challenge: "hi" });
 * ```
 */
export async function deliver(url: string, request: DeliveryRequest): Promise<Delivery> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new CliError(`Not a URL: ${url}`, 2);
  }
  const started = Date.now();
  let response: Response;
  try {
    if (request.kind === "challenge") {
      target.searchParams.set("challenge", request.challenge);
      response = await fetch(target, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    } else {
      const headers: Record<string, string> = { ...request.headers, "content-type": request.contentType };
      if (request.secret !== undefined) headers[SIGNATURE_HEADER] = signBody(request.body, request.secret);
      response = await fetch(target, {
        method: "POST",
        headers,
        body: request.body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    }
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    const hint = cause === "ECONNREFUSED" ? " Is the local server running (make run)?" : "";
    throw new CliError(`Could not reach ${target.origin}: ${cause}.${hint}`);
  }
  const requestId = response.headers.get("x-amzn-requestid");
  return {
    status: response.status,
    body: await response.text(),
    ms: Date.now() - started,
    ...(requestId ? { requestId } : {}),
  };
}

/** `application/xml` for `.xml` files (Alma can send XML), JSON otherwise. */
export const contentTypeOf = (file: string | undefined): string =>
  file !== undefined && extname(file).toLowerCase() === ".xml" ? "application/xml" : "application/json";

/** One line: status, body, and a note when the answer took longer than Alma waits. */
export function formatDelivery({ status, body, ms }: Delivery): string {
  const slow = ms > 5000 ? `  (took ${ms} ms: Alma gives up after 5 s)` : "";
  return `${status} ${body.replace(/\s*\n\s*/g, " ")}${slow}`;
}

/**
 * `send [FILE|-|--sample NAME[:N]] [--url URL] [--secret-file PATH|-] [--secret S] [--unsigned]` or
 * `send --challenge VALUE [--url URL]`: prints the status and body; exit code 1 on a 5xx answer (what Alma
 * would retry), on a 4xx (refused) or no answer.
 */
export async function sendCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      url: { type: "string", default: DEFAULT_URL },
      ...SECRET_OPTIONS,
      sample: { type: "string" },
      challenge: { type: "string" },
      unsigned: { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  if (positionals.length > 1) throw new CliError("send takes one payload file (or - for stdin)", 2);
  const file = positionals[0];
  let delivery: Delivery;
  if (values.challenge !== undefined) {
    if (file !== undefined || values.sample !== undefined) {
      throw new CliError("send --challenge takes no payload", 2);
    }
    delivery = await deliver(values.url, { kind: "challenge", challenge: values.challenge });
  } else {
    const stdinIsPayload = values.sample === undefined && (file === undefined || file === "-");
    const secret = values.unsigned ? undefined : await secretOf(values, io, stdinIsPayload);
    const { body } = await readPayload(file, values.sample, io);
    delivery = await deliver(values.url, {
      kind: "post",
      body,
      contentType: contentTypeOf(file),
      ...(secret === undefined ? {} : { secret }),
    });
  }
  io.stdout(`${formatDelivery(delivery)}\n`);
  // A refused webhook (401, 4xx) is a failure too: scripts and `make send` must see it.
  return delivery.status >= 400 ? 1 : 0;
}
