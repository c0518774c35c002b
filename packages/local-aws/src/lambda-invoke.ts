import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * What the endpoint passes a local function besides the event: the parts of Lambda's context that a
 * handler reads (names, the ARN it was invoked by, the time left).
 */
export interface LocalInvokeContext {
  readonly functionName: string;
  /** The qualifier the caller named (`live`, `3`), or `$LATEST`. */
  readonly functionVersion: string;
  /** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`, as the caller named it. */
  readonly invokedFunctionArn: string;
  readonly awsRequestId: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

/**
 * A function the endpoint runs in-process for Lambda's `Invoke`: a Lambda handler, the built bundle's or a
 * test's fake. Its resolved value is the invocation's payload (JSON); a rejection is a function error.
 *
 * @example
 * ```ts
 * const fn: LocalFunction = async (event) => ({ results: [] });
 * ```
 */
export type LocalFunction = (event: unknown, context: LocalInvokeContext) => unknown;

/** One invocation as the endpoint received it. */
export interface LocalInvocation {
  /** The function name, without qualifier. */
  readonly functionName: string;
  /** The qualifier named in the function name or the `Qualifier` parameter, if any. */
  readonly qualifier?: string;
  readonly invocationType: string;
  /** The event: the payload parsed as JSON. */
  readonly event: unknown;
}

/** Options of the endpoint's Lambda `Invoke`. */
export interface LocalFunctionsOptions {
  /** The functions it runs, by name (`my-fn`), or by name and qualifier (`my-fn:live`) to tell aliases apart. */
  readonly functions?: Readonly<Record<string, LocalFunction>>;
  /** What `getRemainingTimeInMillis` counts down from; default 4,000 ms, the webhook function's timeout. */
  readonly functionTimeoutMs?: number;
}

/** Lambda's REST path of `Invoke`: `POST /2015-03-31/functions/{FunctionName}/invocations`. */
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(?:\?|$)/;
/** A function ARN (or partial ARN), or a name, each with an optional qualifier. */
const FUNCTION_NAME =
  /^(?:arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:|(\d{12}):function:)?([A-Za-z0-9_-]{1,140})(?::([A-Za-z0-9$_-]{1,128}))?$/;
const ACCOUNT = "123456789012";

function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "x-amzn-requestid": randomUUID(),
    ...headers,
  });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, JSON.stringify({ Type: "User", message }), { "x-amzn-errortype": type });
}

/**
 * Lambda's `Invoke` (REST JSON: `POST /2015-03-31/functions/{FunctionName}/invocations`, the payload as the
 * body) for the local endpoint: `RequestResponse` runs the named function in this process and answers its
 * result (200, or 200 with `X-Amz-Function-Error: Unhandled` when it throws); `Event` answers 202 and runs
 * it; `DryRun` answers 204. An unknown function is `ResourceNotFoundException` (404). Returns a request
 * handler that answers Invoke requests and returns false for every other request.
 *
 * @example
 * ```ts
 * const invoke = lambdaInvoke({ functions: { "alma-webhooks": handler } }, (call) => calls.push(call));
 * if (!(await invoke(req, res, body))) handleOtherOperations(req, res);
 * ```
 */
export function lambdaInvoke(
  options: LocalFunctionsOptions,
  record: (invocation: LocalInvocation) => void,
): (req: IncomingMessage, res: ServerResponse, body: Buffer | undefined) => Promise<boolean> {
  const functions = new Map(Object.entries(options.functions ?? {}));
  const timeoutMs = options.functionTimeoutMs ?? 4000;
  return async (req, res, body) => {
    const path = INVOKE_PATH.exec(req.url ?? "");
    if (req.method !== "POST" || path === null) return false;
    const url = new URL(req.url ?? "/", "http://local");
    const named = FUNCTION_NAME.exec(decodeURIComponent(path[1] as string));
    if (named === null) {
      sendError(res, 400, "ValidationException", `Not a function name or ARN: '${path[1]}'`);
      return true;
    }
    const region = named[1] ?? "us-east-1";
    const functionName = named[4] as string;
    const parameter = url.searchParams.get("Qualifier") ?? undefined;
    if (named[5] !== undefined && parameter !== undefined && parameter !== named[5]) {
      sendError(
        res,
        400,
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
      );
      return true;
    }
    const qualifier = named[5] ?? parameter;
    const run =
      (qualifier === undefined ? undefined : functions.get(`${functionName}:${qualifier}`)) ??
      functions.get(functionName);
    const arn = `arn:aws:lambda:${region}:${named[2] ?? named[3] ?? ACCOUNT}:function:${functionName}${qualifier === undefined ? "" : `:${qualifier}`}`;
    if (run === undefined) {
      sendError(res, 404, "ResourceNotFoundException", `Function not found: ${arn}`);
      return true;
    }
    if (body === undefined) {
      sendError(res, 413, "RequestTooLargeException", "Request must be smaller than the payload limit");
      return true;
    }
    let event: unknown;
    try {
      event = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
    } catch {
      sendError(res, 400, "InvalidRequestContentException", "Could not parse request body into json");
      return true;
    }
    const header = req.headers["x-amz-invocation-type"];
    const invocationType = typeof header === "string" ? header : "RequestResponse";
    record({ functionName, ...(qualifier === undefined ? {} : { qualifier }), invocationType, event });
    if (invocationType === "DryRun") {
      sendJson(res, 204, "");
      return true;
    }
    const started = Date.now();
    const context: LocalInvokeContext = {
      functionName,
      functionVersion: qualifier ?? "$LATEST",
      invokedFunctionArn: arn,
      awsRequestId: randomUUID(),
      memoryLimitInMB: "256",
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: "local",
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    };
    const outcome = Promise.resolve()
      .then(() => run(event, context))
      .then(
        (result) => ({ ok: true as const, result }),
        (error: unknown) => ({ ok: false as const, error }),
      );
    if (invocationType === "Event") {
      sendJson(res, 202, "");
      await outcome;
      return true;
    }
    const settled = await outcome;
    if (settled.ok) {
      sendJson(res, 200, JSON.stringify(settled.result ?? null), { "x-amz-executed-version": "$LATEST" });
    } else {
      const error = settled.error instanceof Error ? settled.error : new Error(String(settled.error));
      sendJson(res, 200, JSON.stringify({ errorType: error.name, errorMessage: error.message }), {
        "x-amz-function-error": "Unhandled",
        "x-amz-executed-version": "$LATEST",
      });
    }
    return true;
  };
}
