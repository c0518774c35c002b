import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { EXECUTION_ARN_PATTERN, executionArnFor, STATE_MACHINE_ARN_PATTERN } from "@alma-webhooks/aws/arn";
import { ApiError, type JsonObject, optionalString, requiredString } from "./aws-json.js";
import { forwardOperations, type LocalMessage } from "./forward-operations.js";
import { listen, readBody } from "./http.js";
import { type LocalFunctionsOptions, type LocalInvocation, lambdaInvoke } from "./lambda-invoke.js";
import { secretOperations } from "./secret-operations.js";

/** An execution held by the local endpoint. Nothing runs it, so it stays RUNNING forever. */
export interface LocalExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly status: "RUNNING";
  readonly startDate: Date;
}

export type { LocalMessage } from "./forward-operations.js";
export type { LocalFunction, LocalInvocation, LocalInvokeContext } from "./lambda-invoke.js";

/** One request as the endpoint received it, kept so tests can assert on what the client really sent. */
export interface ReceivedRequest {
  /**
   * `X-Amz-Target` without its service prefix (`AWSStepFunctions.`, `AmazonSQS.`, `AWSEvents.`): `StartExecution`,
   * `SendMessage`, `PutEvents`; `Invoke` for Lambda's (a REST path, no target header); undefined when the
   * header was missing.
   */
  readonly operation: string | undefined;
  /** The parsed JSON body; undefined when it was not JSON or too large. */
  readonly body: unknown;
  /** The fault this request consumed, if any. */
  readonly fault?: FaultKind;
}

/** What an injected fault does to the request that consumes it. */
export type FaultKind = "throttle" | "server-error" | "reset" | "delay" | "failed-entry";

/**
 * A fault for reliability tests. "throttle" answers 400 `ThrottlingException`, "server-error" answers
 * 500 `InternalServerError`, "reset" destroys the socket without answering; none of them start an
 * execution. "delay" waits `delayMs` and then handles the request normally, so the execution starts
 * even if the client gave up — like AWS when a response is lost on the way back. "failed-entry" answers a
 * `PutEvents` 200 with `FailedEntryCount` 1 and the entry's `errorCode` (default `InternalFailure`).
 */
export interface Fault {
  readonly kind: FaultKind;
  /** How many requests this fault hits; default 1, `Infinity` allowed. */
  readonly times?: number;
  /** Required for "delay". */
  readonly delayMs?: number;
  /** Only requests for this operation (e.g. "StartExecution", "SendMessage") consume the fault. */
  readonly operation?: string;
  /** For "failed-entry": the entry's `ErrorCode`, e.g. `ThrottlingException` or `AccessDeniedException`. */
  readonly errorCode?: string;
}

/** Options of {@link startLocalStepFunctions}. */
export interface LocalStepFunctionsOptions extends LocalFunctionsOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: a free port chosen by the OS. */
  readonly port?: number;
  /** Known state machines; when omitted or empty, any well-formed state machine ARN is accepted. */
  readonly stateMachineArns?: readonly string[];
  /** When given, every newly started execution, sent message and put event is appended there as one JSON line. */
  readonly journalPath?: string;
  readonly logger?: (line: string) => void;
  /**
   * Secrets Manager secrets and SSM parameters it answers, by ARN or name; change them with `setSecret`. A
   * list rotates by itself: each read answers the next value, the last one stays.
   */
  readonly secrets?: Readonly<Record<string, string | readonly string[]>>;
}

/** A running local endpoint. */
export interface LocalStepFunctions {
  /** Base URL to give the SDK as `endpoint` or `AWS_ENDPOINT_URL_SFN`, e.g. `http://127.0.0.1:4567`. */
  readonly url: string;
  readonly port: number;
  /** Copy of the started executions, oldest first. */
  executions(): LocalExecution[];
  /** Copy of the messages sent to queues and events put on buses, oldest first. */
  messages(): LocalMessage[];
  /** Copy of every request received, faulted and rejected ones included, oldest first. */
  requests(): ReceivedRequest[];
  /** Copy of the Lambda invocations of a known function, oldest first. */
  invocations(): LocalInvocation[];
  /** Set (or rotate) the value of a secret or parameter, by ARN or name. */
  setSecret(id: string, value: string | readonly string[]): void;
  /** Queue a fault; queued faults are consumed in order, one per matching request. */
  injectFault(fault: Fault): void;
  clearFaults(): void;
  /** Forget executions, messages, requests and faults; the journal file is left alone. */
  reset(): void;
  /** Stop listening and drop every connection, idle keep-alive ones included. */
  close(): Promise<void>;
}

const TARGET_PREFIX = "AWSStepFunctions.";
const INVOKE_PREFIX = "/2015-03-31/functions/";
/** EventBridge, Secrets Manager and SSM speak AWS JSON 1.1; Step Functions and SQS 1.0. */
const contentTypeOf = (target: string): string =>
  `application/x-amz-json-${/^(AWSEvents|secretsmanager|AmazonSSM)\./.test(target) ? "1.1" : "1.0"}`;
const MAX_BODY_BYTES = 1024 * 1024;
/** Lambda's limit on a synchronous invocation's payload. */
const MAX_INVOKE_BYTES = 6 * 1024 * 1024;
const MAX_INPUT_BYTES = 262_144;
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
const STATUSES = new Set(["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"]);

// Stricter than AWS on purpose: AWS accepts more characters, but only these keep CloudWatch logging working.
const EXECUTION_NAME = /^[0-9A-Za-z_-]{1,80}$/;
const STATE_MACHINE_ARN = new RegExp(STATE_MACHINE_ARN_PATTERN);
const EXECUTION_ARN = new RegExp(EXECUTION_ARN_PATTERN);
/** When the endpoint started: the creation date of every state machine it knows. */
const CREATED = new Date();

interface QueuedFault {
  readonly kind: FaultKind;
  remaining: number;
  readonly delayMs: number;
  readonly operation: string | undefined;
  readonly errorCode: string;
}

/**
 * Start an in-memory AWS endpoint: Step Functions in the AWS JSON 1.0 protocol (StartExecution,
 * DescribeExecution, ListExecutions, DescribeStateMachine) with the standard-workflow naming rules, and
 * the SQS `SendMessage` and EventBridge `PutEvents` that forward routes use (see forward-operations.ts),
 * the Secrets Manager `GetSecretValue` and SSM `GetParameter` that stored secrets use (secret-operations.ts),
 * and Lambda's `Invoke` of the functions given as `functions`, run in this process (lambda-invoke.ts; what
 * `alma-webhook redeliver --function` calls): what the dispatchers, the CLI and the tests use, nothing
 * more. Give its URL to the SDK as `AWS_ENDPOINT_URL_SFN`, `AWS_ENDPOINT_URL_SQS`,
 * `AWS_ENDPOINT_URL_EVENTBRIDGE`, `AWS_ENDPOINT_URL_SECRETS_MANAGER`, `AWS_ENDPOINT_URL_SSM` and
 * `AWS_ENDPOINT_URL_LAMBDA`.
 *
 * @throws RangeError for a malformed state machine ARN; PortInUseError or ListenError when it cannot listen.
 * @example
 * ```ts
 * const endpoint = await startLocalStepFunctions({ stateMachineArns: [arn] });
 * process.env.AWS_ENDPOINT_URL_SFN = endpoint.url;
 * ```
 */
export async function startLocalStepFunctions(
  options: LocalStepFunctionsOptions = {},
): Promise<LocalStepFunctions> {
  const { host = "127.0.0.1", port = 0, journalPath, logger = () => {} } = options;
  const known = new Set(options.stateMachineArns ?? []);
  for (const arn of known) {
    // A typo here would otherwise surface as a puzzling StateMachineDoesNotExist much later.
    if (!STATE_MACHINE_ARN.test(arn)) {
      throw new RangeError(`Not a state machine ARN: ${arn}`);
    }
  }
  if (journalPath !== undefined) {
    mkdirSync(dirname(journalPath), { recursive: true });
  }

  // Keyed by execution ARN, which embeds state machine and name: uniqueness per state machine for free.
  const executions = new Map<string, LocalExecution>();
  let messages: LocalMessage[] = [];
  let requests: ReceivedRequest[] = [];
  let invocations: LocalInvocation[] = [];
  const invoke = lambdaInvoke(options, (invocation) => {
    invocations.push(invocation);
    logger(`Invoke ${invocation.functionName}${invocation.qualifier ? `:${invocation.qualifier}` : ""}`);
  });
  let faults: QueuedFault[] = [];
  const shutdown = new AbortController();
  const secrets = new Map<string, string | readonly string[]>(Object.entries(options.secrets ?? {}));

  function takeFault(operation: string | undefined): QueuedFault | undefined {
    const fault = faults.find((f) => f.operation === undefined || f.operation === operation);
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) {
        faults = faults.filter((f) => f !== fault);
      }
    }
    return fault;
  }

  function stateMachineArnOf(body: JsonObject): string {
    const arn = requiredString(body, "stateMachineArn");
    if (!STATE_MACHINE_ARN.test(arn)) {
      throw new ApiError("InvalidArn", `Invalid Arn: '${arn}'`);
    }
    if (known.size > 0 && !known.has(arn)) {
      throw new ApiError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${arn}'`);
    }
    return arn;
  }

  function startExecution(body: JsonObject): JsonObject {
    const stateMachineArn = stateMachineArnOf(body);
    const name = optionalString(body, "name") ?? randomUUID();
    if (!EXECUTION_NAME.test(name)) {
      throw new ApiError("InvalidName", `Invalid Name: '${name}'`);
    }
    const input = optionalString(body, "input") ?? "{}";
    if (Buffer.byteLength(input, "utf8") > MAX_INPUT_BYTES) {
      throw new ApiError("InvalidExecutionInput", `Execution input exceeds ${MAX_INPUT_BYTES} bytes`);
    }
    try {
      JSON.parse(input);
    } catch (error) {
      throw new ApiError(
        "InvalidExecutionInput",
        `Invalid State Machine Execution Input: '${String(error)}'`,
      );
    }

    // stateMachineArnOf checked the ARN: core builds the execution ARN from it.
    const executionArn = executionArnFor(stateMachineArn, name) as string;
    const existing = executions.get(executionArn);
    // Every execution here is still RUNNING, so AWS's "same input while open" rule reduces to the input.
    if (existing) {
      if (existing.input !== input) {
        throw new ApiError("ExecutionAlreadyExists", `Execution Already Exists: '${executionArn}'`);
      }
      logger(`StartExecution ${executionArn} (idempotent repeat)`);
      return { executionArn, startDate: epochSeconds(existing.startDate) };
    }

    const execution: LocalExecution = Object.freeze({
      executionArn,
      stateMachineArn,
      name,
      input,
      status: "RUNNING",
      startDate: new Date(),
    });
    // Written synchronously and before storing, so a failed write leaves no execution the journal lacks.
    if (journalPath !== undefined) {
      appendFileSync(journalPath, `${JSON.stringify(execution)}\n`);
    }
    executions.set(executionArn, execution);
    logger(`StartExecution ${executionArn}`);
    return { executionArn, startDate: epochSeconds(execution.startDate) };
  }

  function describeExecution(body: JsonObject): JsonObject {
    const executionArn = requiredString(body, "executionArn");
    if (!EXECUTION_ARN.test(executionArn)) {
      throw new ApiError("InvalidArn", `Invalid Arn: '${executionArn}'`);
    }
    const execution = executions.get(executionArn);
    if (!execution) {
      throw new ApiError("ExecutionDoesNotExist", `Execution Does Not Exist: '${executionArn}'`);
    }
    return { ...summary(execution), input: execution.input };
  }

  function listExecutions(body: JsonObject): JsonObject {
    const stateMachineArn = stateMachineArnOf(body);
    const statusFilter = optionalString(body, "statusFilter");
    if (statusFilter !== undefined && !STATUSES.has(statusFilter)) {
      throw new ApiError("ValidationException", `Invalid statusFilter: '${statusFilter}'`);
    }
    const maxResults = body.maxResults ?? 0;
    if (
      typeof maxResults !== "number" ||
      !Number.isInteger(maxResults) ||
      maxResults < 0 ||
      maxResults > MAX_PAGE_SIZE
    ) {
      throw new ApiError("ValidationException", `maxResults must be an integer from 0 to ${MAX_PAGE_SIZE}`);
    }
    const offset = decodeToken(optionalString(body, "nextToken"));

    const pageSize = maxResults === 0 ? DEFAULT_PAGE_SIZE : maxResults;
    // AWS lists newest first.
    const matching = [...executions.values()]
      .filter((e) => e.stateMachineArn === stateMachineArn)
      .filter((e) => statusFilter === undefined || e.status === statusFilter)
      .reverse();
    const end = offset + pageSize;
    return {
      executions: matching.slice(offset, end).map(summary),
      ...(end < matching.length && { nextToken: encodeToken(end) }),
    };
  }

  /** The dispatcher asks once per state machine whether it is a Standard workflow: they all are here. */
  function describeStateMachine(body: JsonObject): JsonObject {
    const stateMachineArn = stateMachineArnOf(body);
    return {
      stateMachineArn,
      name: stateMachineArn.slice(stateMachineArn.lastIndexOf(":") + 1),
      status: "ACTIVE",
      type: "STANDARD",
      definition: '{"StartAt":"Local","States":{"Local":{"Type":"Pass","End":true}}}',
      roleArn: stateMachineArn.replace(/:states:[a-z0-9-]+:(\d{12}):stateMachine:.*$/, ":iam::$1:role/local"),
      creationDate: epochSeconds(CREATED),
    };
  }

  const operations = new Map<string, (body: JsonObject) => JsonObject>([
    [`${TARGET_PREFIX}StartExecution`, startExecution],
    [`${TARGET_PREFIX}DescribeExecution`, describeExecution],
    [`${TARGET_PREFIX}ListExecutions`, listExecutions],
    [`${TARGET_PREFIX}DescribeStateMachine`, describeStateMachine],
    ...secretOperations(secrets),
    ...forwardOperations((message) => {
      if (journalPath !== undefined) appendFileSync(journalPath, `${JSON.stringify(message)}\n`);
      messages.push(message);
      logger(`${message.service === "sqs" ? "SendMessage" : "PutEvents"} ${message.targetArn} ${message.id}`);
    }),
  ]);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Lambda's Invoke is REST JSON: the operation is in the path, the payload is the whole body.
    const invoking = req.method === "POST" && (req.url ?? "").startsWith(INVOKE_PREFIX);
    const target = invoking ? undefined : targetOf(req);
    const operation = invoking ? "Invoke" : target?.slice(target.indexOf(".") + 1);
    const contentType = contentTypeOf(target ?? "");
    const fault = takeFault(operation);
    const raw = await readBody(req, invoking ? MAX_INVOKE_BYTES : MAX_BODY_BYTES);
    // undefined: the body was too large to read.
    const body = raw === undefined ? undefined : parseBody(raw.toString("utf8"));
    requests.push({
      operation,
      body: body instanceof ApiError ? undefined : body,
      ...(fault && { fault: fault.kind }),
    });

    if (fault) {
      logger(`${operation} → injected fault ${fault.kind}`);
    }
    switch (fault?.kind) {
      case "reset":
        req.socket.destroy();
        return;
      case "throttle":
        return sendError(res, new ApiError("ThrottlingException", "Rate exceeded"), contentType);
      case "server-error":
        return sendError(res, new ApiError("InternalServerError", "Injected server error", 500), contentType);
      case "failed-entry":
        return send(
          res,
          200,
          {
            FailedEntryCount: 1,
            Entries: [{ ErrorCode: fault.errorCode, ErrorMessage: "Injected failed entry" }],
          },
          contentType,
        );
      case "delay":
        try {
          await sleep(fault.delayMs, undefined, { signal: shutdown.signal });
        } catch {
          return; // closing: the connection is gone anyway
        }
    }

    if (invoking) {
      if (!(await invoke(req, res, raw))) {
        sendError(
          res,
          new ApiError("UnknownOperationException", "Unknown operation: 'Invoke'", 404),
          contentType,
        );
      }
      return;
    }
    try {
      if (body === undefined) {
        throw new ApiError("SerializationException", `Request body exceeds ${MAX_BODY_BYTES} bytes`, 413);
      }
      const run = target === undefined ? undefined : operations.get(target);
      if (!run) {
        throw new ApiError("UnknownOperationException", `Unknown operation: '${operation ?? ""}'`);
      }
      if (body instanceof ApiError) {
        throw body;
      }
      send(res, 200, run(body), contentType);
    } catch (error) {
      if (!(error instanceof ApiError)) {
        throw error;
      }
      logger(`${operation} → ${error.type}: ${error.message}`);
      sendError(res, error, contentType);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      sendError(
        res,
        new ApiError("InternalServerError", "Internal error in the local endpoint", 500),
        contentTypeOf(""),
      );
    });
  });

  const listening = await listen(server, host, port, "ALMA_LOCAL_SFN_PORT");
  server.on("error", (error) => logger(`server error: ${error.message}`));
  const { url } = listening;
  logger(`local Step Functions listening on ${url}`);

  return {
    url,
    port: listening.port,
    executions: () => [...executions.values()],
    messages: () => [...messages],
    requests: () => [...requests],
    invocations: () => [...invocations],
    setSecret: (id, value) => void secrets.set(id, value),
    injectFault(fault) {
      const times = fault.times ?? 1;
      if (!(times >= 1)) {
        throw new RangeError(`Fault times must be at least 1, got ${times}`);
      }
      if (fault.kind === "delay" && !(fault.delayMs !== undefined && fault.delayMs >= 0)) {
        throw new RangeError("A delay fault needs delayMs >= 0");
      }
      faults.push({
        kind: fault.kind,
        remaining: times,
        delayMs: fault.delayMs ?? 0,
        operation: fault.operation,
        errorCode: fault.errorCode ?? "InternalFailure",
      });
    },
    clearFaults() {
      faults = [];
    },
    reset() {
      executions.clear();
      messages = [];
      requests = [];
      invocations = [];
      faults = [];
    },
    close() {
      // Delayed requests stop waiting: their connections are about to go.
      shutdown.abort();
      return listening.close();
    },
  };
}

/** `X-Amz-Target`, with the Step Functions prefix added when a bare operation name was sent. */
function targetOf(req: IncomingMessage): string | undefined {
  const target = req.headers["x-amz-target"];
  // Node joins repeated custom headers into one string; only set-cookie ever comes as an array.
  if (typeof target !== "string") {
    return undefined;
  }
  return target.includes(".") ? target : `${TARGET_PREFIX}${target}`;
}

function parseBody(raw: string): JsonObject | ApiError {
  if (raw.trim() === "") {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return new ApiError("SerializationException", "Request body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return new ApiError("SerializationException", "Request body must be a JSON object");
  }
  return parsed as JsonObject;
}

/** Opaque like AWS's tokens, so clients don't come to rely on their shape. */
function encodeToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString("base64url");
}

function decodeToken(token: string | undefined): number {
  if (token === undefined) {
    return 0;
  }
  const match = /^offset:(\d{1,9})$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (!match?.[1]) {
    throw new ApiError("InvalidToken", `Invalid Token: '${token}'`);
  }
  return Number(match[1]);
}

/** The JSON protocol's default timestamp format: epoch seconds, fractions allowed. */
function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

function summary(execution: LocalExecution): JsonObject {
  const { executionArn, stateMachineArn, name, status, startDate } = execution;
  return { executionArn, stateMachineArn, name, status, startDate: epochSeconds(startDate) };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType: string,
  errorType?: string,
): void {
  // The client may have hung up (delay fault, timeout); writing then would only raise stream errors.
  if (res.headersSent || res.destroyed) {
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(payload),
    "x-amzn-requestid": randomUUID(),
    ...(errorType && { "x-amzn-errortype": errorType }),
  });
  res.end(payload);
}

function sendError(res: ServerResponse, error: ApiError, contentType: string): void {
  send(res, error.status, { __type: error.type, message: error.message }, contentType, error.type);
}
