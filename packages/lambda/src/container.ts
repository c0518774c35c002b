// tsyringe needs a Reflect metadata API; this small one (the full reflect-metadata is 65 KB) is enough,
// since every registration here is by token.
import "@abraham/reflection";
import {
  createStoredSecrets,
  DeliveryLedger,
  DISPATCH_BUDGET,
  readWithPowertools,
  TargetDispatcher,
  UndeliveredStore,
} from "@alma-webhooks/aws";
import {
  createWebhookRouter,
  type Decision,
  type Environment,
  type SecretSource,
  type Secrets,
  type WebhookPlugin,
} from "@alma-webhooks/core";
import { type DependencyContainer, instanceCachingFactory, container as rootContainer } from "tsyringe";
import { InvocationBudget } from "./budget.js";
import { type Configuration, loadConfiguration } from "./config.js";
import { WebhookKeeper } from "./keeper.js";
import { createLogger } from "./logger.js";
import { deployedPlugins } from "./plugins.js";
import { createSentryReporter } from "./sentry.js";
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
  /** Also told every decision, after the metrics: the local server prints and journals it. Lambda sets none. */
  readonly onDecision?: (decision: Decision) => void;
}

/**
 * Builds the application's container: configuration, logger, clock, the reader of stored secrets, the dispatcher (which loads the SDK
 * client of a target's service, Step Functions, SQS or EventBridge, on its first dispatch there), error reporter, and every plugin under {@link TOKENS.Plugin}. A child container, so tests register
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
  const cached = <T>(make: (c: DependencyContainer) => T) => ({ useFactory: instanceCachingFactory(make) });
  container.register(TOKENS.Environment, { useValue: options.env ?? process.env });
  for (const plugin of options.plugins ?? deployedPlugins)
    container.register(TOKENS.Plugin, { useValue: plugin });
  container.register(
    TOKENS.Configuration,
    cached((c) => loadConfiguration(c.resolve(TOKENS.Environment), c.resolveAll(TOKENS.Plugin))),
  );
  container.register(
    TOKENS.Logger,
    cached((c) => createLogger(c.resolve(TOKENS.Environment))),
  );
  container.register(
    TOKENS.Ledger,
    cached((c) => {
      const table = c.resolve(TOKENS.Environment).ALMA_IDEMPOTENCY_TABLE?.trim();
      return table ? new DeliveryLedger(table, c.resolve(TOKENS.Clock), c.resolve(TOKENS.Logger)) : null;
    }),
  );
  container.register(TOKENS.Clock, { useValue: systemClock });
  container.register(
    TOKENS.Budget,
    cached((c) => new InvocationBudget(c.resolve(TOKENS.Clock))),
  );
  container.register(
    TOKENS.Undelivered,
    cached((c) => {
      const bucket = c.resolve(TOKENS.Environment).ALMA_UNDELIVERED_BUCKET?.trim();
      return bucket ? new UndeliveredStore(bucket, c.resolve(TOKENS.Clock)) : null;
    }),
  );
  container.register(
    TOKENS.Keeper,
    cached(
      (c) =>
        new WebhookKeeper(
          c.resolve(TOKENS.Undelivered),
          c.resolve(TOKENS.Budget),
          c.resolve(TOKENS.Clock),
          c.resolve(TOKENS.Logger),
        ),
    ),
  );
  container.register(
    TOKENS.Dispatcher,
    cached((c) => {
      const logger = c.resolve(TOKENS.Logger);
      const bucket = c.resolve(TOKENS.Environment).ALMA_LARGE_PAYLOAD_BUCKET?.trim();
      const targets = new TargetDispatcher(logger, c.resolve(TOKENS.Clock), {
        ...(bucket ? { largePayloadBucket: bucket } : {}),
      });
      const ledger = c.resolve(TOKENS.Ledger);
      return ledger ? ledger.around(targets) : targets;
    }),
  );
  // Nothing is loaded here: Sentry is imported and initialised on the first report (sentry.ts).
  container.register(
    TOKENS.ErrorReporter,
    cached((c) => {
      const { sentryDsn, workspace } = c.resolve(TOKENS.Configuration);
      const budget = c.resolve(TOKENS.Budget);
      return sentryDsn ? createSentryReporter(sentryDsn, workspace, () => budget.left()) : noErrorReporter;
    }),
  );
  container.register(
    TOKENS.ReadSecret,
    cached(() => readWithPowertools()),
  );
  container.register(
    TOKENS.Secrets,
    cached((c) =>
      secretsOf(c.resolve(TOKENS.Configuration).secrets, () =>
        createStoredSecrets(
          c.resolve(TOKENS.Configuration).secrets,
          c.resolve(TOKENS.ReadSecret),
          c.resolve(TOKENS.Clock),
          c.resolve(TOKENS.Logger),
        ),
      ),
    ),
  );
  container.register(
    TOKENS.Router,
    cached((c) => {
      const configuration = c.resolve(TOKENS.Configuration);
      const reporter = c.resolve(TOKENS.ErrorReporter);
      const metrics = c.isRegistered(TOKENS.Metrics, true) ? c.resolve(TOKENS.Metrics) : undefined;
      const history = c.resolve(TOKENS.Ledger);
      const keeper = c.resolve(TOKENS.Keeper);
      const clock = c.resolve(TOKENS.Clock);
      const budget = c.resolve(TOKENS.Budget);
      return createWebhookRouter({
        secrets: c.resolve(TOKENS.Secrets),
        workspace: configuration.workspace,
        plugins: configuration.plugins,
        dispatcher: c.resolve(TOKENS.Dispatcher),
        logger: c.resolve(TOKENS.Logger),
        maxBodyBytes: configuration.maxBodyBytes,
        timeBudgetMs: DISPATCH_BUDGET.webhookMs,
        // One clock and one deadline for the secret read, the ledger and every dispatch (budget.ts).
        now: () => clock.now(),
        deadline: () => budget.dispatchBy,
        ...(configuration.maxEventAgeMs ? { maxEventAgeMs: configuration.maxEventAgeMs } : {}),
        reportError: (error, context) => reporter.report(error, context),
        onDecision: (decision: Decision) => {
          // Kept first, so the history record says where its bytes are.
          const keptAs = keeper.keep(decision);
          history?.record(keptAs ? { ...decision, keptAs } : decision);
          metrics?.record(decision);
          options.onDecision?.(decision);
        },
      });
    }),
  );
  return container;
}

/** The secrets as set, or a source that reads the stored ones (asked at once, so the read overlaps start-up). */
function secretsOf(settings: Configuration["secrets"], stored: () => SecretSource): Secrets {
  const { current, previous } = settings;
  if (typeof current === "string" && Array.isArray(previous)) return [current, ...previous];
  const source = stored();
  Promise.resolve(source.current()).catch(() => {
    // Answered 503, logged and reported by the router on the first signed request.
  });
  return source;
}
