import type { ExecutionDispatcher } from "@alma-webhooks/core";
import { createAppContainer } from "../../src/container.js";
import { TOKENS } from "../../src/tokens.js";
import { createWebhookHandler } from "../../src/webhook-handler.js";
import { VALID_ENV } from "./environment.js";
import { recordingLogger } from "./recording-logger.js";

/**
 * The real handler, built in a child container from `env`, with a recording logger and, when given, a
 * fake dispatcher in place of Step Functions.
 */
export function handlerWithFakes(
  options: { env?: Record<string, string | undefined>; dispatcher?: ExecutionDispatcher } = {},
) {
  const container = createAppContainer({ env: options.env ?? VALID_ENV });
  const logger = recordingLogger();
  container.register(TOKENS.Logger, { useValue: logger });
  if (options.dispatcher) container.register(TOKENS.Dispatcher, { useValue: options.dispatcher });
  return { handler: createWebhookHandler({ container }), logger, container };
}
