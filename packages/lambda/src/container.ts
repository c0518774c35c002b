import "reflect-metadata";
import type { Environment, JobPlugin } from "@alma-webhooks/core";
import {
  type DependencyContainer,
  inject,
  injectAll,
  injectable,
  instanceCachingFactory,
  container as rootContainer,
} from "tsyringe";
import { type Configuration, loadConfiguration } from "./config.js";
import { createLogger } from "./logger.js";
import { jobPlugins } from "./plugins.js";
import { noErrorReporter, systemClock } from "./services.js";
import { createStepFunctionsClient, StepFunctionsDispatcher } from "./step-functions-dispatcher.js";
import { TOKENS } from "./tokens.js";

/** Reads the configuration for the plugins registered in the container. */
@injectable()
export class ConfigurationLoader {
  constructor(
    @inject(TOKENS.Environment) private readonly env: Environment,
    @injectAll(TOKENS.JobPlugin) private readonly plugins: JobPlugin<string>[],
  ) {}

  load(): Configuration {
    return loadConfiguration(this.env, this.plugins);
  }
}

/** What {@link createAppContainer} takes; the defaults are what Lambda runs. */
export interface AppContainerOptions {
  /** Default `process.env`. */
  readonly env?: Environment;
  /** Default: the plugin list in `plugins.ts`. */
  readonly plugins?: readonly JobPlugin<string>[];
  /** The container to make a child of; default tsyringe's root container. */
  readonly parent?: DependencyContainer;
}

/**
 * Builds the application's container: configuration, logger, clock, Step Functions client and dispatcher,
 * error reporter, and every plugin under {@link TOKENS.JobPlugin}. A child container, so tests register
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
    useFactory: instanceCachingFactory((c) => c.resolve(ConfigurationLoader).load()),
  });
  container.register(TOKENS.Logger, {
    useFactory: instanceCachingFactory((c) => createLogger(c.resolve(TOKENS.Environment))),
  });
  container.register(TOKENS.Clock, { useValue: systemClock });
  container.register(TOKENS.StepFunctionsClient, {
    useFactory: instanceCachingFactory(createStepFunctionsClient),
  });
  container.register(TOKENS.Dispatcher, {
    useFactory: instanceCachingFactory((c) => c.resolve(StepFunctionsDispatcher)),
  });
  container.register(TOKENS.ErrorReporter, { useValue: noErrorReporter });
  return container;
}
