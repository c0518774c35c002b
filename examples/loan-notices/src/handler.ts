import { createWebhookRouter, loadPlugins } from "@alma-webhooks/core";
import { handleLambdaEvent } from "@alma-webhooks/core/lambda";
import { InMemoryQueue } from "./in-memory-queue.js";
import { loanNoticePlugin } from "./loan-notice-plugin.js";
import { QueueDispatcher } from "./queue-dispatcher.js";

// In a real project: a MessageQueue that sends to SQS (MessageDeduplicationId = id).
export const queue = new InMemoryQueue();

// Cold start: an inactive or misconfigured plugin is listed once; a misconfigured one answers 500.
const { active, warnings, problems } = loadPlugins([loanNoticePlugin], process.env);
for (const line of [...warnings, ...problems]) console.warn(line);
const router = createWebhookRouter({
  secrets: [process.env.ALMA_CHALLENGE_SECRET ?? ""],
  workspace: process.env.WORKSPACE ?? "",
  plugins: active,
  dispatcher: new QueueDispatcher(queue),
});

export const handler = (event: unknown) => handleLambdaEvent(router, event);
