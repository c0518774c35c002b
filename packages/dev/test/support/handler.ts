import type { ExecutionDispatcher } from "@alma-webhooks/core";
import { createAppContainer } from "@alma-webhooks/lambda/container";
import { TOKENS } from "@alma-webhooks/lambda/tokens";
import { createWebhookHandler } from "@alma-webhooks/lambda/webhook-handler";

/** The real handler, built from `env`, with a fake dispatcher in place of AWS when given. */
export function handlerWithFakes(options: {
  env: Record<string, string | undefined>;
  dispatcher?: ExecutionDispatcher;
}) {
  const container = createAppContainer({ env: options.env });
  if (options.dispatcher) container.register(TOKENS.Dispatcher, { useValue: options.dispatcher });
  return { handler: createWebhookHandler({ container }) };
}
