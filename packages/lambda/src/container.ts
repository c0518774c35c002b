import "reflect-metadata";
import { LedgerDispatcher, LedgerTable, readWithPowertools, TargetDispatcher } from "@alma-webhooks/aws";
import type { Environment, WebhookPlugin } from "@alma-webhooks/core";
import { type DependencyContainer, instanceCachingFactory, container as rootContainer } from "tsyringe";
import { loadConfiguration } from "./config.js";
import { createLogger } from "./logger.js";
import { jobPlugins } from "./plugins.js";
import { noErrorReporter, systemClock } from "./services.js";
import { TOKENS } from "./tokens.js";

/** What {@link createAppContainer} takes; the defaults are what Lambda runs. */
export interface AppContainerOptions {
  /** Default `process.env`. */
  readonly env?: Environment;
  /** Default: the plugin list in `plugins.ts`. */
  readonly plugins?: readonly WebhookPlugin[];
  /** The container to make a child of; default tsyringe's root container. */
  readonly parent?: DependencyContainer;
}

/**
 * Builds the application's container: configuration, logger, clock, the reader of stored secrets, the dispatcher (which loads the SDK
 * client of a target's service, Step Functions, SQS or EventBridge, on its first dispatch there), error reporter, and every plugin under {@link TOKENS.JobPlugin}. A child container, so tests register
 * fakes over any of these without touching the root.
 *
 * @example
 * ```ts
 * const container = createAppContainer({ env: { WORKSPACE: "dev", ALMA_CHALLENGE_SECRET: "s" } });
 * container.register(TOKENS.Dispatcher, { useValue: new RecordingDispatcher() });
 * ```
 */
export function createAppContainer(options: AppContainerOptions = {}): DependencyContainer {
  const container = (options.parent ?? rootContainer).createChildContainer();
  container.register(TOKENS.Environment, { useValue: options.env ?? process.env });
  for (const plugin of options.plugins ?? jobPlugins)
    container.register(TOKENS.JobPlugin, { useValue: plugin });
  container.register(TOKENS.Configuration, {
    useFactory: instanceCachingFactory((c) =>
      loadConfiguration(c.resolve(TOKENS.Environment), c.resolveAll(TOKENS.JobPlugin)),
    ),
  });
  container.register(TOKENS.Logger, {
    useFactory: instanceCachingFactory((c) => createLogger(c.resolve(TOKENS.Environment))),
  });
  container.register(TOKENS.Ledger, {
    useFactory: instanceCachingFactory((c) => {
      const table = c.resolve(TOKENS.Environment).ALMA_IDEMPOTENCY_TABLE?.trim();
      return table ? new LedgerTable(table, c.resolve(TOKENS.Clock)) : null;
    }),
  });
  container.register(TOKENS.Dispatcher, {
    useFactory: instanceCachingFactory((c) => {
      const logger = c.resolve(TOKENS.Logger);
      const bucket = c.resolve(TOKENS.Environment).ALMA_LARGE_PAYLOAD_BUCKET?.trim();
      const targets = new TargetDispatcher(logger, c.resolve(TOKENS.Clock), {
        ...(bucket ? { largePayloadBucket: bucket } : {}),
      });
      const ledger = c.resolve(TOKENS.Ledger);
      return ledger ? new LedgerDispatcher(targets, ledger, logger) : targets;
    }),
  });
  container.register(TOKENS.Clock, { useValue: systemClock });
  container.register(TOKENS.ErrorReporter, { useValue: noErrorReporter });
  container.register(TOKENS.ReadSecret, { useFactory: instanceCachingFactory(() => readWithPowertools()) });
  return container;
}
