import "reflect-metadata";
import type {
  DispatchResult,
  Environment,
  ExecutionDispatcher,
  ExecutionRequest,
  WebhookPlugin,
} from "@alma-webhooks/core";
import { type DependencyContainer, instanceCachingFactory, container as rootContainer } from "tsyringe";
import { loadConfiguration } from "./config.js";
import { createLogger } from "./logger.js";
import { jobPlugins } from "./plugins.js";
import { type Clock, type LambdaLogger, noErrorReporter, systemClock } from "./services.js";
import { TOKENS } from "./tokens.js";

/**
 * The Step Functions dispatcher, loaded on the first dispatch. The AWS SDK is the largest part of the
 * bundle and a GET challenge, a rejected POST or an unclaimed job never needs it: importing it and building
 * the client only when a pipeline is to be started takes it off those cold starts (it lands in a chunk of
 * its own). One client and one dispatcher per container, so per cold start.
 */
class LazyStepFunctionsDispatcher implements ExecutionDispatcher {
  private loading: Promise<ExecutionDispatcher> | undefined;

  constructor(
    private readonly logger: LambdaLogger,
    private readonly clock: Clock,
  ) {}

  private load(): Promise<ExecutionDispatcher> {
    this.loading ??= import("./step-functions-dispatcher.js")
      .then(
        ({ createStepFunctionsClient, StepFunctionsDispatcher }) =>
          new StepFunctionsDispatcher(createStepFunctionsClient(), this.logger, this.clock),
      )
      .catch((error: unknown) => {
        // Not cached: the next dispatch tries again.
        this.loading = undefined;
        throw error;
      });
    return this.loading;
  }

  async start(request: ExecutionRequest): Promise<DispatchResult> {
    return (await this.load()).start(request);
  }
}

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
 * Builds the application's container: configuration, logger, clock, Step Functions dispatcher (which
 * loads the SDK on its first dispatch), error reporter, and every plugin under {@link TOKENS.JobPlugin}. A child container, so tests register
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
  container.register(TOKENS.Dispatcher, {
    useFactory: instanceCachingFactory(
      (c) => new LazyStepFunctionsDispatcher(c.resolve(TOKENS.Logger), c.resolve(TOKENS.Clock)),
    ),
  });
  container.register(TOKENS.Clock, { useValue: systemClock });
  container.register(TOKENS.ErrorReporter, { useValue: noErrorReporter });
  return container;
}
