import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import { DEFAULT_MAX_BODY_BYTES } from "@alma-webhooks/core";
import { decodeQueryComponent } from "@alma-webhooks/core/lambda";
import { type Listening, listen, loopbackHosts, readBody } from "@alma-webhooks/local-aws/http";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";

/** The Lambda runtime interface emulator's invoke path, as in `docker run -p 9000:8080` of the original README. */
export const EMULATOR_PATH = "/2015-03-31/functions/function/invocations";

/** What the server calls for every request: the webhook handler, or any Lambda handler. */
export type LocalInvoke = (event: unknown, context: Context) => Promise<unknown>;

/** One HTTP request, as much of it as a Function URL passes to the function. */
export interface RawHttpRequest {
  readonly method: string;
  /** Path and query as sent, e.g. `/?challenge=abc`. */
  readonly url: string;
  /** Node's `rawHeaders`: names in the sender's case, name and value alternating, repeats kept. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp?: string;
  readonly protocol?: string;
  readonly requestId?: string;
  readonly now?: Date;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (value: number): string => String(value).padStart(2, "0");

/** `06/Nov/2024:14:43:11 +0000`: the format of `requestContext.time`. */
function clfTime(date: Date): string {
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/**
 * Adds a value to a map under construction, joining repeats with commas as Function URLs do. A `Map`, not
 * an object: names like Object's own properties (`constructor`, `toString`, `__proto__`) stay plain names.
 */
function addJoined(map: Map<string, string>, name: string, value: string): void {
  const existing = map.get(name);
  map.set(name, existing === undefined ? value : `${existing},${value}`);
}

/**
 * Turns an HTTP request into the payload 2.0 event a Lambda Function URL would send: header names
 * lowercased and repeats joined with commas, cookies in `cookies`, query parameters decoded (repeats
 * joined with commas), and the body base64-encoded with `isBase64Encoded: true`, so the handler checks the
 * signature over exactly the bytes that were sent.
 *
 * @example
 * ```ts
 * const event = functionUrlEventOf({ method: "GET", url: "/?challenge=abc", rawHeaders: [], body: Buffer.alloc(0) });
 * // event.queryStringParameters.challenge === "abc"
 * ```
 */
export function functionUrlEventOf(request: RawHttpRequest): APIGatewayProxyEventV2 {
  const queryAt = request.url.indexOf("?");
  const rawPath = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? "" : request.url.slice(queryAt + 1);

  const headerMap = new Map<string, string>();
  const cookies: string[] = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = (request.rawHeaders[i] as string).toLowerCase();
    const value = request.rawHeaders[i + 1] as string;
    if (name === "cookie") cookies.push(...value.split(/;\s*/).filter(Boolean));
    else addJoined(headerMap, name, value);
  }
  const sourceIp = request.sourceIp ?? "127.0.0.1";
  if (!headerMap.has("x-forwarded-for")) headerMap.set("x-forwarded-for", sourceIp);
  if (!headerMap.has("x-forwarded-proto")) headerMap.set("x-forwarded-proto", "http");

  const queryMap = new Map<string, string>();
  for (const pair of rawQueryString.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const name = decodeQueryComponent(equals === -1 ? pair : pair.slice(0, equals));
    addJoined(queryMap, name, equals === -1 ? "" : decodeQueryComponent(pair.slice(equals + 1)));
  }
  // Object.fromEntries defines own properties: `__proto__` becomes a name, not the prototype.
  const headers: Record<string, string> = Object.fromEntries(headerMap);
  const query: Record<string, string> = Object.fromEntries(queryMap);

  const now = request.now ?? new Date();
  const host = headerMap.get("host") ?? "localhost";
  const method = request.method.toUpperCase();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryMap.size > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: "anonymous",
      apiId: "local",
      domainName: host,
      domainPrefix: host.split(".")[0] ?? host,
      http: {
        method,
        path: rawPath,
        protocol: request.protocol ?? "HTTP/1.1",
        sourceIp,
        userAgent: headerMap.get("user-agent") ?? "",
      },
      requestId: request.requestId ?? randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    // As Function URLs do: no body field at all for an empty body.
    ...(request.body.length > 0 ? { body: request.body.toString("base64") } : {}),
    isBase64Encoded: request.body.length > 0,
  };
}

/**
 * A Lambda context good enough for a handler run outside Lambda: the request id, a local function name,
 * and a remaining time counting down from `timeoutMs`.
 *
 * @example
 * ```ts
 * await handler(event, localLambdaContext("req-1"));
 * ```
 */
export function localLambdaContext(requestId: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  const unsupported = () => {
    throw new Error("The callback-style context methods are not supported by the local server");
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "alma-webhook-local",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:alma-webhook-local",
    memoryLimitInMB: "256",
    awsRequestId: requestId,
    logGroupName: "/aws/lambda/alma-webhook-local",
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** An HTTP answer of the local server: status, headers and the body's bytes. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** A request under {@link LOCAL_PAGES_PREFIX}, as the server's own pages see it. */
export interface LocalPageRequest {
  readonly method: string;
  /** The path without the query: `/_/deliveries`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage["headers"];
  readonly body: Buffer;
  /** The origin the request was sent to (from its `Host`, checked): a request whose `Origin` differs is another site's. */
  readonly origin: string;
}

/** The server's own pages (the deliveries page): an answer, or undefined for a path they do not know (404). */
export type LocalPages = (request: LocalPageRequest) => Promise<HttpAnswer | undefined>;

/**
 * The paths the local server keeps for its own pages (`/_/deliveries`, `/_/redeliver`): never passed to the
 * handler and never journalled. Alma posts to the Function URL's root; a deployed function serves no such path.
 */
export const LOCAL_PAGES_PREFIX = "/_/";

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * What a Function URL makes of a handler's result: a `{statusCode, headers, body, isBase64Encoded,
 * cookies}` object as it says; anything else becomes a 200 JSON answer of the value itself.
 */
export function answerOf(result: unknown): HttpAnswer {
  if (!isRecord(result) || typeof result.statusCode !== "number") {
    const body = Buffer.from(JSON.stringify(result) ?? "null");
    return { status: 200, headers: { "content-type": "application/json" }, body };
  }
  const headers: Record<string, string | string[]> = {};
  if (isRecord(result.headers)) {
    for (const [name, value] of Object.entries(result.headers)) {
      if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
    }
  }
  if (Array.isArray(result.cookies) && result.cookies.length > 0) {
    headers["set-cookie"] = result.cookies.map(String);
  }
  const text = typeof result.body === "string" ? result.body : "";
  const body = Buffer.from(text, result.isBase64Encoded === true ? "base64" : "utf8");
  return { status: result.statusCode, headers, body };
}

/** Options of {@link startLocalServer}. */
export interface LocalServerOptions {
  readonly invoke: LocalInvoke;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: a free port chosen by the OS. */
  readonly port?: number;
  /**
   * Serve whatever `Host` header a request names: for a bind address the operator chose. By default only
   * the loopback names with the server's port (`127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`) are
   * served and anything else is answered 421, so that neither a LAN host nor a DNS-rebinding web page can
   * reach the handler through a browser.
   */
  readonly anyHost?: boolean;
  /** One line per request (method, path, status, time). */
  readonly log?: (line: string) => void;
  /** Told every request once answered, body included: the local run journals and prints it. */
  readonly onRequest?: (request: ServedRequest) => void;
  /** Answers the requests under {@link LOCAL_PAGES_PREFIX}; without it they reach the handler like any path. */
  readonly pages?: LocalPages;
}

/** A request the server answered, as {@link LocalServerOptions.onRequest} sees it. */
export interface ServedRequest {
  readonly requestId: string;
  readonly time: Date;
  readonly method: string;
  readonly path: string;
  /** Reached through the runtime emulator's invoke path rather than as a Function URL. */
  readonly emulator: boolean;
  readonly headers: IncomingMessage["headers"];
  readonly body: Buffer;
  readonly status: number;
  readonly answer: string;
  readonly ms: number;
}

/** A running local server: its URL, its port, and `close()` that drops every connection. */
export type LocalServer = Listening;

const text = (status: number, message: string): HttpAnswer => ({
  status,
  headers: { "content-type": "text/plain" },
  body: Buffer.from(message),
});

const json = (status: number, value: unknown, headers: Record<string, string> = {}): HttpAnswer => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: Buffer.from(JSON.stringify(value)),
});

/**
 * Runs the handler behind the runtime emulator's invoke path: the body is the event, the answer is the
 * handler's result as JSON with status 200, and a thrown error comes back as Lambda reports one.
 */
async function emulatorInvoke(invoke: LocalInvoke, body: Buffer, requestId: string): Promise<HttpAnswer> {
  let event: unknown;
  try {
    event = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
  } catch (error) {
    return json(400, {
      errorType: "InvalidRequestContentException",
      errorMessage: `Could not parse request body into json: ${(error as Error).message}`,
    });
  }
  try {
    return json(200, (await invoke(event, localLambdaContext(requestId))) ?? null);
  } catch (error) {
    const { name = "Error", message = String(error) } = error as Partial<Error>;
    return json(200, { errorType: name, errorMessage: message }, { "x-amz-function-error": "Unhandled" });
  }
}

async function functionUrlInvoke(
  invoke: LocalInvoke,
  req: IncomingMessage,
  body: Buffer,
  requestId: string,
): Promise<HttpAnswer> {
  const event = functionUrlEventOf({
    method: req.method ?? "GET",
    url: req.url ?? "/",
    rawHeaders: req.rawHeaders,
    body,
    sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
    protocol: `HTTP/${req.httpVersion}`,
    requestId,
  });
  try {
    return answerOf(await invoke(event, localLambdaContext(requestId)));
  } catch {
    // What a Function URL answers when the function throws.
    return text(502, "Internal Server Error");
  }
}

/**
 * Starts an HTTP server that serves a Lambda handler the two ways it is reached: as a Function URL (any
 * path but the emulator's: the request becomes a payload 2.0 event and the handler's answer the HTTP
 * response) and through the runtime emulator's `POST /2015-03-31/functions/function/invocations`.
 *
 * @throws PortInUseError when the port is taken; ListenError when listening fails otherwise.
 * @example
 * ```ts
 * const server = await startLocalServer({ invoke: createWebhookHandler(), port: 9000 });
 * // curl -H "Host: evil.example" http://127.0.0.1:9000/ → 421
 * ```
 */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const { invoke, host = "127.0.0.1", port = 0, anyHost = false, log = () => {}, onRequest, pages } = options;
  // Known once listening: the allowed Host values carry the port the OS chose.
  let allowedHosts: ReadonlySet<string> | undefined;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const requestId = randomUUID();
    const path = (req.url ?? "/").split("?")[0];
    const emulator = path === EMULATOR_PATH;
    const page = pages !== undefined && (path ?? "/").startsWith(LOCAL_PAGES_PREFIX);
    const body = await readBody(req, DEFAULT_MAX_BODY_BYTES);
    const hostHeader = (req.headers.host ?? "").toLowerCase();
    let answer: HttpAnswer;
    if (allowedHosts !== undefined && !allowedHosts.has(hostHeader)) {
      answer = text(
        421,
        `Misdirected Request: this local server answers only ${[...allowedHosts].join(", ")}, not Host '${hostHeader}'.`,
      );
    } else if (body === undefined) {
      answer = emulator
        ? json(413, { errorType: "RequestEntityTooLargeException", errorMessage: "Request too large" })
        : text(413, "Request Entity Too Large");
    } else if (page) {
      const url = new URL(req.url ?? "/", "http://local");
      answer =
        (await pages({
          method: req.method ?? "GET",
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
          origin: `http://${req.headers.host ?? ""}`,
        })) ?? text(404, `Not found: ${url.pathname}`);
    } else if (emulator && req.method !== "POST") {
      answer = json(405, { errorType: "MethodNotAllowed", errorMessage: `Use POST on ${EMULATOR_PATH}` });
    } else {
      answer = emulator
        ? await emulatorInvoke(invoke, body, requestId)
        : await functionUrlInvoke(invoke, req, body, requestId);
    }
    if (!res.destroyed) {
      // As a Function URL does: the request id in x-amzn-RequestId (resend and redelivery read it).
      res.writeHead(answer.status, {
        "x-amzn-requestid": requestId,
        ...answer.headers,
        "content-length": answer.body.length,
      });
      res.end(answer.body);
    }
    const ms = Date.now() - started;
    // Alma gives up after 5 s and counts that as a failure: worth a warning even locally.
    const slow = ms > 5000 ? " (slower than Alma's 5 s limit)" : "";
    log(`${req.method} ${path}${emulator ? " (emulator)" : ""} → ${answer.status} in ${ms} ms${slow}`);
    // The pages' own requests are not webhooks: the journal and the printed lines are the webhooks'.
    if (page) return;
    onRequest?.({
      requestId,
      time: new Date(started),
      method: req.method ?? "GET",
      path: path ?? "/",
      emulator,
      headers: req.headers,
      body: body ?? Buffer.alloc(0),
      status: answer.status,
      answer: answer.body.toString("utf8"),
      ms,
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal error in the local server");
    });
  });

  const listening = await listen(server, host, port);
  server.on("error", (error) => log(`server error: ${error.message}`));
  if (!anyHost) allowedHosts = loopbackHosts(listening.port);
  return listening;
}
