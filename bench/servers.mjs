// The harness's servers, in a process of their own so they do not share a core with the timing loop:
// the local AWS endpoint (Step Functions, and the Secrets Manager that holds the webhook secret) and a Sentry sink. Prints their URLs as one JSON line, runs until
// stdin closes.
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
process.stdout.write(
  `${JSON.stringify({ sfnUrl: sfn.url, sentryDsn: `${sinkUrl.replace("http://", "http://benchkey@")}/7` })}\n`,
);
process.stdin.resume();
process.stdin.on("end", async () => {
  process.stderr.write(`servers: ${sfn.executions().length} executions, ${sentryPosts} Sentry posts\n`);
  sink.closeAllConnections();
  sink.close();
  await sfn.close();
  process.exit(0);
});
