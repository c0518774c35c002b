import { createWebhookHandler } from "../webhook-handler.js";

/** The webhook Lambda's entry point (`webhook.handler`). */
export const handler = createWebhookHandler();
