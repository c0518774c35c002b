// A small client for AWS's JSON 1.0 protocol (Step Functions speaks it), for the Step Functions calls of a
// process, above all its first: the AWS SDK's client costs about 60 ms of module loading and set-up on Node
// 22 before its first request leaves, this one a few. It does what the SDK's client is configured to do here and no more:
// Signature V4 with the credentials and region of the environment, the standard endpoint or
// `AWS_ENDPOINT_URL_<SERVICE>` / `AWS_ENDPOINT_URL`, the standard retry strategy (its error classes, delays
// and attempts, its clock-skew correction), the per-attempt timeouts of BUDGETED_CLIENT and errors shaped as the SDK's (`name`,
// `message`, `$fault`, `$metadata`). Any setting it does not read (a profile, a shared config file, FIPS or
// dual-stack endpoints, another retry mode, a partition other than aws, aws-cn and aws-us-gov) makes
// {@link awsJsonClientFromEnvironment} answer undefined, and the caller uses the SDK.

import { createHash, createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import type { Agent as HttpsAgent } from "node:https";
import { homedir } from "node:os";
import { join } from "node:path";
import { NETWORK_ERROR_CODES, THROTTLING_NAMES } from "@alma-webhooks/core";
import { DISPATCH_BUDGET } from "./deadline.js";

/** What identifies one service on the wire. */
export interface AwsJsonService {
  /** The signing name (`states`). */
  readonly signingName: string;
  /** The endpoint prefix (`states` in `states.us-east-1.amazonaws.com`). */
  readonly endpointPrefix: string;
  /** The `X-Amz-Target` prefix (`AWSStepFunctions`). */
  readonly targetPrefix: string;
  /** The SDK's service id in `AWS_ENDPOINT_URL_<ID>` (`SFN`). */
  readonly endpointVariable: string;
}

/** One call: the operation's JSON output, or a thrown error shaped as the SDK's. */
export interface AwsJsonClient {
  call(operation: string, input: object, abortSignal?: AbortSignal): Promise<Record<string, unknown>>;
  /** Closes the kept-alive connections (tests; a Lambda process never needs it). */
  destroy(): void;
}

/** An error as the SDK's clients throw it: what `isTransient` and the dispatchers read. */
export interface AwsJsonError extends Error {
  $fault?: "client" | "server";
  code?: string;
  $metadata: {
    httpStatusCode?: number;
    requestId?: string;
    attempts?: number;
    totalRetryDelay?: number;
    /** The refusal moved this client's idea of the service's clock: the retry is signed anew. */
    clockSkewCorrected?: boolean;
  };
}

interface Settings {
  readonly endpoint: URL;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Partitions whose endpoints are `<prefix>.<region>.<suffix>` (the SDK's partitions, by region pattern). */
const PARTITIONS: readonly [RegExp, string][] = [
  [/^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, "amazonaws.com"],
  [/^cn-\w+-\d+$/, "amazonaws.com.cn"],
  [/^us-gov-\w+-\d+$/, "amazonaws.com"],
];

const isTrue = (value: string | undefined) => value?.trim().toLowerCase() === "true";

/**
 * The settings, when the environment holds all the SDK would use and nothing this client does not read;
 * undefined otherwise (the caller uses the SDK, which reads the rest: profiles, config files, the
 * credentials chain).
 */
export function settingsFromEnvironment(
  service: AwsJsonService,
  env: NodeJS.ProcessEnv,
  configFileExists: (path: string) => boolean = existsSync,
): Settings | undefined {
  const region = env.AWS_REGION?.trim();
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!region || !accessKeyId || !secretAccessKey) return undefined;
  // A profile turns the SDK's environment credentials off.
  if (env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE) return undefined;
  if (isTrue(env.AWS_USE_FIPS_ENDPOINT) || isTrue(env.AWS_USE_DUALSTACK_ENDPOINT)) return undefined;
  if (env.AWS_RETRY_MODE && env.AWS_RETRY_MODE.trim() !== "standard") return undefined;
  const home = env.HOME || homedir();
  // The SDK reads a profile's settings (endpoint_url, retry_mode…) from either shared file.
  if (configFileExists(env.AWS_CONFIG_FILE || join(home, ".aws", "config"))) return undefined;
  if (configFileExists(env.AWS_SHARED_CREDENTIALS_FILE || join(home, ".aws", "credentials")))
    return undefined;
  let endpoint: URL | undefined;
  const configured = isTrue(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)
    ? undefined
    : env[`AWS_ENDPOINT_URL_${service.endpointVariable}`] || env.AWS_ENDPOINT_URL;
  if (configured) {
    try {
      endpoint = new URL(configured);
    } catch {
      return undefined; // The SDK's own error says what is wrong with it.
    }
    if (endpoint.protocol !== "http:" && endpoint.protocol !== "https:") return undefined;
    // A query or user info the SDK would send along: left to it.
    if (endpoint.search || endpoint.username || endpoint.password) return undefined;
  } else {
    const suffix = PARTITIONS.find(([pattern]) => pattern.test(region))?.[1];
    if (suffix === undefined) return undefined;
    endpoint = new URL(`https://${service.endpointPrefix}.${region}.${suffix}`);
  }
  return {
    endpoint,
    region,
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  };
}

// The SDK's standard retry strategy (@smithy/core retry, 2026 settings): which errors are retried, and the
// delay before retry n (0-based): random × min(base × 2^n, 20 s), base 50 ms, 1 s after throttling. Its
// throttling names and network codes are core's THROTTLING_NAMES and NETWORK_ERROR_CODES.
const TRANSIENT_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
/** Refusals that may mean this clock is off: retried once the service's clock has been taken. */
const CLOCK_SKEW = new Set([
  "AccessDeniedException",
  "AuthFailure",
  "InvalidSignatureException",
  "RequestExpired",
  "RequestInTheFuture",
  "RequestTimeTooSkewed",
  "SignatureDoesNotMatch",
]);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

/** The retry kind of an error, as the SDK's standard strategy classes it; undefined: not retried. */
export function retryKind(error: AwsJsonError, depth = 0): "throttling" | "transient" | undefined {
  const status = error.$metadata?.httpStatusCode;
  if (depth === 0 && (status === 429 || THROTTLING_NAMES.has(error.name))) return "throttling";
  if (error.name === "AbortError") return undefined;
  if (
    error.$metadata?.clockSkewCorrected === true ||
    TRANSIENT_NAMES.has(error.name) ||
    NETWORK_ERROR_CODES.has(error.code ?? "") ||
    (status !== undefined && TRANSIENT_STATUS.has(status))
  )
    return "transient";
  const { cause } = error as { cause?: unknown };
  if (cause !== null && typeof cause === "object" && depth <= 10)
    return retryKind(cause as AwsJsonError, depth + 1) && "transient";
  return undefined;
}

/** Milliseconds before retry `retry` (0 for the first retry) of an error of `kind`. */
export const retryDelay = (kind: "throttling" | "transient", retry: number, random = Math.random()): number =>
  Math.floor(random * Math.min((kind === "throttling" ? 1000 : 50) * 2 ** retry, 20_000));

const hex = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();
/** RFC 3986 encoding, as Signature V4 wants it in a canonical path. */
const uriEscape = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Signs a request with Signature V4 (the header form: `authorization`, `x-amz-date`, and
 * `x-amz-security-token` with temporary credentials). Every header given is signed; an
 * `x-amz-content-sha256` given is the payload's hash, as the SDK's signer takes it, so it is not computed
 * again. Returns the headers to send.
 */
export function signRequest(
  request: { method: string; path: string; headers: Record<string, string>; body: string },
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  scope: { region: string; service: string },
  date: Date,
): Record<string, string> {
  const amzDate = date.toISOString().replace(/[:-]|\.\d{3}/g, "");
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  headers["x-amz-date"] = amzDate;
  if (credentials.sessionToken) headers["x-amz-security-token"] = credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(";");
  const canonicalPath = uriEscape(request.path).replace(/%2F/g, "/");
  const canonical = [
    request.method,
    canonicalPath,
    "",
    ...names.map((name) => `${name}:${String(headers[name]).trim().replace(/\s+/g, " ")}`),
    "",
    signedHeaders,
    headers["x-amz-content-sha256"] ?? hex(request.body),
  ].join("\n");
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, credentialScope, hex(canonical)].join("\n");
  let key = hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [scope.region, scope.service, "aws4_request"]) key = hmac(key, part);
  const signature = createHmac("sha256", key).update(toSign, "utf8").digest("hex");
  headers.authorization =
    `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${credentialScope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

/** The error code of a JSON 1.0 error answer: the body's `__type`, then its `code`, then the header. */
function errorCodeOf(headers: IncomingHttpHeaders, body: Record<string, unknown>): string | undefined {
  const codeKey = Object.keys(body).find((key) => key.toLowerCase() === "code");
  const raw = body.__type ?? (codeKey ? body[codeKey] : undefined) ?? headers["x-amzn-errortype"];
  if (raw === undefined || raw === null) return undefined;
  let code = String(raw);
  if (code.includes(",")) code = code.split(",")[0] ?? code;
  if (code.includes(":")) code = code.split(":")[0] ?? code;
  if (code.includes("#")) code = code.split("#")[1] ?? code;
  return code;
}

const errorWith = (message: string, fields: object): AwsJsonError =>
  Object.assign(new Error(message), { $metadata: {} }, fields) as AwsJsonError;

/** Node's codes the SDK's HTTP handler renames `TimeoutError`. */
const RENAMED_TIMEOUT_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT"]);
/** The SDK's retry quota: tokens per client, and what a retry takes (a throttling one less). */
const RETRY_CAPACITY = 500;
const retryCost = (kind: "throttling" | "transient") => (kind === "throttling" ? 5 : 14);

/** The SDK's error for a call its abort signal stopped. */
const aborted = (): AwsJsonError => errorWith("Request aborted", { name: "AbortError" });

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * A JSON 1.0 client over node:http(s) with kept-alive connections (as the SDK's), or undefined when the
 * environment holds settings only the SDK reads ({@link settingsFromEnvironment}).
 *
 * @example
 * ```ts
 * const client = awsJsonClientFromEnvironment(STEP_FUNCTIONS, process.env);
 * const output = await client?.call("StartExecution", { stateMachineArn, name, input });
 * ```
 */
export function awsJsonClientFromEnvironment(
  service: AwsJsonService,
  env: NodeJS.ProcessEnv,
  now: () => number = Date.now,
): AwsJsonClient | undefined {
  const settings = settingsFromEnvironment(service, env);
  return settings && createAwsJsonClient(service, settings, now);
}

/** The client for given settings (see {@link awsJsonClientFromEnvironment}). */
export function createAwsJsonClient(
  service: AwsJsonService,
  settings: Settings,
  now: () => number = Date.now,
): AwsJsonClient {
  const { endpoint } = settings;
  const secure = endpoint.protocol === "https:";
  const path = `${endpoint.pathname.replace(/\/$/, "")}/`;
  /** The service's clock minus this one, from the `date` of its answers (the SDK's clock-skew correction). */
  let clockOffset = 0;
  /** Retry tokens, as the SDK's standard strategy keeps them per client: a long outage stops the retries. */
  let retryCapacity = RETRY_CAPACITY;
  let agent: Agent | HttpsAgent | undefined;
  let transporting: Promise<{ agent: Agent | HttpsAgent; send: typeof httpRequest }> | undefined;
  /** One agent (kept-alive connections), made once even when the first two calls start together. */
  const transport = () => {
    transporting ??= (async () => {
      if (secure) {
        const https = await import("node:https");
        agent = new https.Agent({ keepAlive: true, maxSockets: 50 });
        return { agent, send: https.request as typeof httpRequest };
      }
      agent = new Agent({ keepAlive: true, maxSockets: 50 });
      return { agent, send: httpRequest };
    })();
    return transporting;
  };

  /** One attempt; `bodyHash`, the body's SHA-256, is computed once for all the attempts of a call. */
  async function attempt(
    operation: string,
    body: string,
    bodyHash: string,
    abortSignal?: AbortSignal,
  ): Promise<Answer> {
    const { agent, send } = await transport();
    if (abortSignal?.aborted) throw aborted();
    const headers = signRequest(
      {
        method: "POST",
        path,
        headers: {
          host: endpoint.host,
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": `${service.targetPrefix}.${operation}`,
          // Signed, as the SDK's clients sign it.
          "x-amz-content-sha256": bodyHash,
        },
        body,
      },
      settings,
      { region: settings.region, service: service.signingName },
      new Date(now() + clockOffset),
    );
    headers["content-length"] = String(Buffer.byteLength(body));
    headers["user-agent"] = "alma-webhooks aws-json-client";
    return new Promise<Answer>((resolve, reject) => {
      let connectTimer: NodeJS.Timeout | undefined;
      let idleTimer: NodeJS.Timeout | undefined;
      const finish = (error?: Error, answer?: Answer) => {
        clearTimeout(requestTimer);
        clearTimeout(connectTimer);
        clearTimeout(idleTimer);
        abortSignal?.removeEventListener("abort", onAbort);
        if (error) reject(error);
        else resolve(answer as Answer);
      };
      const req = send(
        {
          protocol: endpoint.protocol,
          hostname: endpoint.hostname.replace(/^\[|\]$/g, ""),
          port: endpoint.port || undefined,
          path,
          method: "POST",
          headers,
          agent,
        },
        (res: IncomingMessage) => {
          // As the SDK's handler: the request timeout ends with the headers; the body may then be idle
          // for as long.
          clearTimeout(requestTimer);
          const idle = () => {
            clearTimeout(idleTimer);
            idleTimer = setTimeout(() => {
              const error = errorWith(
                `@smithy/node-http-handler - the request socket timed out after ${DISPATCH_BUDGET.requestTimeoutMs} ms of inactivity (configured by client requestHandler).`,
                { name: "TimeoutError" },
              );
              res.destroy(error);
              req.destroy();
              finish(error);
            }, DISPATCH_BUDGET.requestTimeoutMs);
          };
          idle();
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => {
            chunks.push(chunk);
            idle();
          });
          res.on("error", (error) => finish(error));
          res.on("end", () =>
            finish(undefined, {
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString("utf8"),
            }),
          );
        },
      );
      // The SDK's messages for the two timeouts, so that the logs read the same with either client.
      const requestTimer = setTimeout(() => {
        const error = errorWith(
          `@smithy/node-http-handler - [ERROR] a request has exceeded the configured ${DISPATCH_BUDGET.requestTimeoutMs} ms requestTimeout.`,
          { name: "TimeoutError", code: "ETIMEDOUT" },
        );
        req.destroy(error);
        finish(error);
      }, DISPATCH_BUDGET.requestTimeoutMs);
      req.on("socket", (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => {
          req.destroy();
          finish(
            errorWith(
              `@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of ${DISPATCH_BUDGET.connectionTimeoutMs} ms.`,
              { name: "TimeoutError" },
            ),
          );
        }, DISPATCH_BUDGET.connectionTimeoutMs);
        socket.once("connect", () => clearTimeout(connectTimer));
      });
      // As the SDK's handler: a reset, a broken pipe or a timed-out socket is a TimeoutError.
      req.on("error", (error: NodeJS.ErrnoException) =>
        finish(
          RENAMED_TIMEOUT_CODES.has(error.code ?? "")
            ? Object.assign(error, { name: "TimeoutError" })
            : error,
        ),
      );
      function onAbort() {
        req.destroy();
        finish(aborted());
      }
      abortSignal?.addEventListener("abort", onAbort, { once: true });
      req.end(body);
    });
  }

  /**
   * Takes the service's clock from an answer's `date` (not a cached one's, with `age`); true when that moved
   * the offset by 4 minutes or more, so that a signature refused for its time is tried again.
   */
  function sampleClock(headers: IncomingHttpHeaders): boolean {
    const serverTime =
      headers.date === undefined || headers.age !== undefined ? NaN : Date.parse(headers.date);
    if (Number.isNaN(serverTime)) return false;
    const previous = clockOffset;
    clockOffset = serverTime - now();
    return Math.abs(clockOffset) >= 240_000 && clockOffset !== previous;
  }

  /** The output of a 2xx answer, or the service's error as the SDK would throw it. */
  function outputOf(answer: Answer): Record<string, unknown> {
    const clockSkewCorrected = sampleClock(answer.headers);
    const $metadata = {
      httpStatusCode: answer.status,
      ...(typeof answer.headers["x-amzn-requestid"] === "string"
        ? { requestId: answer.headers["x-amzn-requestid"] }
        : {}),
    };
    let parsed: unknown = {};
    let unparsed: unknown;
    if (answer.text.trim() !== "") {
      try {
        parsed = JSON.parse(answer.text);
      } catch (error) {
        unparsed = error;
      }
    }
    // As the SDK: a body that is not JSON, whatever the status, is a SyntaxError with its hint.
    if (unparsed !== undefined) {
      throw Object.assign(unparsed as Error, {
        message: `${(unparsed as Error).message}\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.`,
        $metadata,
      });
    }
    const body = (parsed !== null && typeof parsed === "object" ? parsed : {}) as Record<string, unknown>;
    if (answer.status >= 200 && answer.status < 300) return body;
    const name = errorCodeOf(answer.headers, body) ?? "Unknown";
    const message = body.message ?? body.Message ?? "UnknownError";
    throw errorWith(String(message), {
      ...body,
      name,
      $fault: answer.status < 500 ? "client" : "server",
      $metadata:
        clockSkewCorrected && CLOCK_SKEW.has(name) ? { ...$metadata, clockSkewCorrected } : $metadata,
    });
  }

  return {
    async call(operation, input, abortSignal) {
      const body = JSON.stringify(input);
      const bodyHash = hex(body);
      let totalRetryDelay = 0;
      let lastCost: number | undefined;
      for (let attempts = 1; ; attempts += 1) {
        try {
          const output = outputOf(await attempt(operation, body, bodyHash, abortSignal));
          retryCapacity = Math.min(RETRY_CAPACITY, retryCapacity + (lastCost ?? 1));
          return output;
        } catch (caught) {
          const error = caught as AwsJsonError;
          error.$metadata = { ...error.$metadata, attempts, totalRetryDelay };
          const kind = retryKind(error);
          if (abortSignal?.aborted || kind === undefined || attempts >= DISPATCH_BUDGET.maxAttempts)
            throw error;
          if (retryCapacity < retryCost(kind)) throw error;
          lastCost = retryCost(kind);
          retryCapacity -= lastCost;
          const delay = retryDelay(kind, attempts - 1);
          totalRetryDelay += delay;
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(done, delay);
            function done() {
              abortSignal?.removeEventListener("abort", stop);
              resolve();
            }
            function stop() {
              clearTimeout(timer);
              reject(error);
            }
            abortSignal?.addEventListener("abort", stop, { once: true });
          });
        }
      }
    },
    destroy() {
      agent?.destroy();
    },
  };
}
