import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What the fake answers to one operation: a JSON body (default `{}`) with a status (default 200). */
export interface FakeAnswer {
  readonly status?: number;
  readonly body?: Record<string, unknown>;
  /** Wait this long before answering (the client may give up first). */
  readonly delayMs?: number;
}

/** Answers per operation (`StartExecution`, `DescribeExecution`, …); an unlisted one gets a 400. */
export type FakeScript = Record<string, (body: Record<string, unknown>) => FakeAnswer>;

/** An AWS error answer in the JSON 1.0 protocol. */
export const awsError = (type: string, status = 400, message = `${type} (fake)`): FakeAnswer => ({
  status,
  body: { __type: type, message },
});

/**
 * A scripted Step Functions endpoint speaking the AWS JSON 1.0 protocol (`x-amz-target:
 * AWSStepFunctions.<Operation>`), for answers the local endpoint does not give (an EXPRESS state machine, a
 * FAILED execution, a 429). While it runs, the SDK is pointed at it the standard way (AWS_ENDPOINT_URL_SFN
 * and fake credentials); `close` restores the environment.
 */
export async function startFakeStepFunctions(script: FakeScript): Promise<{
  url: string;
  requests: { operation: string; body: Record<string, unknown>; userAgent: string }[];
  operations: () => string[];
  close: () => Promise<void>;
}> {
  const requests: { operation: string; body: Record<string, unknown>; userAgent: string }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const operation = String(request.headers["x-amz-target"] ?? "").replace("AWSStepFunctions.", "");
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      requests.push({ operation, body, userAgent: String(request.headers["user-agent"] ?? "") });
      const answer = script[operation]?.(body) ?? awsError("UnknownOperationException");
      const send = () => {
        if (response.destroyed) return;
        response
          .writeHead(answer.status ?? 200, { "content-type": "application/x-amz-json-1.0" })
          .end(JSON.stringify(answer.body ?? {}));
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const names = [
    "AWS_ENDPOINT_URL_SFN",
    "AWS_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
  ];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SFN: url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    // Not the developer's shared files: Lambda has none.
    AWS_CONFIG_FILE: "/nonexistent/alma-webhooks/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/alma-webhooks/aws-credentials",
  });
  return {
    url,
    requests,
    operations: () => requests.map((request) => request.operation),
    close: () =>
      new Promise<void>((resolve) => {
        for (const [name, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
