// The harness's servers, in a process of their own so they do not share a core with the timing loop:
// the local AWS endpoint (Step Functions, and the Secrets Manager that holds the webhook secret) and a Sentry sink. Prints their URLs as one JSON line, runs until
// stdin closes.
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { LOCAL_SFN, SECRET, SECRET_ARN } from "./lib.mjs";

const { startLocalStepFunctions } = await import(LOCAL_SFN);
const sfn = await startLocalStepFunctions({ secrets: { [SECRET_ARN]: SECRET } });
let sentryPosts = 0;
const sink = createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    sentryPosts += 1;
    response.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});
await new Promise((resolve) => sink.listen(0, "127.0.0.1", resolve));
const sinkUrl = `http://127.0.0.1:${sink.address().port}`;
// An SQS queue for the forwarded 1 MiB bodies of cpu-share.mjs: SendMessage of any size, answered as SQS
// answers (the SDK checks the body's MD5). The local endpoint reads requests up to 1 MiB, and a 1 MiB
// message's SendMessage request is larger once its quotes are escaped.
let sqsMessages = 0;
const sqs = createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const { MessageBody = "" } = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    sqsMessages += 1;
    const answer = JSON.stringify({
      MessageId: `bench-${sqsMessages}`,
      MD5OfMessageBody: createHash("md5").update(MessageBody, "utf8").digest("hex"),
    });
    response.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end(answer);
  });
});
await new Promise((resolve) => sqs.listen(0, "127.0.0.1", resolve));
process.stdout.write(
  `${JSON.stringify({ sfnUrl: sfn.url, sqsUrl: `http://127.0.0.1:${sqs.address().port}`, sentryDsn: `${sinkUrl.replace("http://", "http://benchkey@")}/7` })}\n`,
);
process.stdin.resume();
process.stdin.on("end", async () => {
  process.stderr.write(
    `servers: ${sfn.executions().length} executions, ${sentryPosts} Sentry posts, ${sqsMessages} SQS messages\n`,
  );
  sink.closeAllConnections();
  sink.close();
  sqs.closeAllConnections();
  sqs.close();
  await sfn.close();
  process.exit(0);
});
