// Handlers: a function per kind of webhook, as short as octokit's. A handler is a plugin (definePlugin)
// whose target is the function and whose dispatch calls it: one mechanism, the router's, not a second one.

import type { BodyBytes } from "./bytes.js";
import type {
  DispatchedWebhook,
  DispatchResult,
  ExecutionDispatcher,
  ExecutionRequest,
} from "./dispatcher.js";
import { InvalidPluginError, messageOf } from "./errors.js";
import type { Logger } from "./logger.js";
import { ALMA_EVENT_NAMES, type AlmaEventName } from "./payload/event-names.generated.js";
import { eventValueOf, type PayloadOf } from "./payload/kinds.js";
import type { JobEndPayload, WebhookPayload } from "./payload/types.js";
import type { WebhookPlugin } from "./plugin/contract.js";
import { definePlugin } from "./plugin/define.js";
import { exactName } from "./plugin/matchers.js";
import { type ActivePlugin, activatePlugin } from "./plugin/registry.js";
import { closestName } from "./plugin/settings.js";
import { createWebhookRouter, type WebhookRouter, type WebhookRouterOptions } from "./router.js";
import type { Secrets } from "./secret-source.js";
import { isTransient } from "./transient.js";

/**
 * The webhook actions Alma sends: what {@link Webhooks.onAny} listens to.
 *
 * @example
 * ```ts
 * const action: AlmaAction = "LOAN";
 * ```
 */
export type AlmaAction = "JOB_END" | "LOAN" | "REQUEST" | "USER" | "BIB" | "ITEM" | "NOTIFICATION";

const ALMA_ACTIONS: readonly AlmaAction[] = [
  "JOB_END",
  "LOAN",
  "REQUEST",
  "USER",
  "BIB",
  "ITEM",
  "NOTIFICATION",
];

export type { AlmaEventName } from "./payload/event-names.generated.js";

/**
 * Every {@link AlmaEventName}, at run time: what `on` checks a name against, and the forward routes their
 * `ALMA_FORWARD_<ROUTE>_EVENTS` entries.
 *
 * @example
 * ```ts
 * ALMA_EVENT_NAMES.includes("LOAN.LOAN_CREATED"); // true
 * ```
 */
export const almaEventNames: readonly AlmaEventName[] = ALMA_EVENT_NAMES;

/**
 * The action of an event name: `"LOAN"` for `"LOAN.LOAN_CREATED"` and for `"LOAN"`.
 *
 * @example
 * ```ts
 * type Loan = PayloadOf<ActionOf<"LOAN.LOAN_CREATED">>; // LoanPayload
 * ```
 */
export type ActionOf<E extends string> = E extends `${infer A}.${string}` ? A : E;

/**
 * What a handler is given: the payload, typed for what it listens to, and the webhook's identity.
 *
 * @example
 * ```ts
 * webhooks.on("LOAN.LOAN_CREATED", async ({ payload, id, rawBody }) => {
 *   await db.insertIfAbsent(id, payload.item_loan?.loan_id, rawBody.toString("utf8"));
 * });
 * ```
 */
export interface HandlerContext<P extends WebhookPayload = WebhookPayload> {
  /** The parsed webhook body (an XML body in its JSON form), typed by the action. */
  readonly payload: P;
  /**
   * The webhook's identity, deterministic: the same for a redelivery of the same webhook (Alma retries
   * 5xx answers), different for two webhooks. Every handler of one webhook gets the same id: use it to
   * de-duplicate. It is the router's execution name of the webhook, prefixed with the action
   * (`loan-20241106T150000-3751207219283555`, `job-end-20241106T144310-6219373120004761`).
   */
  readonly id: string;
  /**
   * The body's bytes exactly as Alma sent and signed them: a Node `Buffer` (typed as one when Node's types
   * are loaded, as a `Uint8Array` otherwise; see {@link BodyBytes}).
   */
  readonly rawBody: BodyBytes;
  /** The webhook's `action`: `LOAN`, `JOB_END`, … */
  readonly action: string;
  /** The webhook's `event.value` (`LOAN_CREATED`), when it has one. */
  readonly event: string | undefined;
}

/**
 * A function that handles webhooks. A returned promise is awaited before Alma is answered (200 when it
 * resolves). A throw is answered 500 (503 for a {@link TransientError}) and handed to every
 * {@link Webhooks.onError} handler. Alma waits 5 seconds at most: hand long work to a queue.
 *
 * @example
 * ```ts
 * const logLoan: WebhookHandler<LoanPayload> = ({ id, payload }) => console.log(id, payload.item_loan?.loan_id);
 * ```
 */
export type WebhookHandler<P extends WebhookPayload = WebhookPayload> = (
  context: HandlerContext<P>,
) => unknown;

/**
 * A function told of every handler that threw: the error, and the context of the handler that threw it
 * (`handler` is its name).
 *
 * @example
 * ```ts
 * const report: ErrorHandler = (error, { handler, id }) => console.error(`${handler} failed on ${id}`, error);
 * ```
 */
export type ErrorHandler = (
  error: unknown,
  context: HandlerContext & { readonly handler: string },
) => unknown;

/**
 * Options of one handler.
 *
 * @example
 * ```ts
 * webhooks.on("LOAN.LOAN_CREATED", notify, { name: "LOAN_NOTICE" });
 * ```
 */
export interface HandlerOptions {
  /**
   * The handler's name in answers ("LOAN_NOTICE handled."), logs and metrics: 1-32 upper-case letters,
   * digits or `_`. Default: from what it listens to (`LOAN_CREATED`, `LOAN`, `ANY`, the job name), with
   * `_2`, `_3`, … for a second handler of the same.
   */
  readonly name?: string;
}

/**
 * Options of a job end handler ({@link Webhooks.onJobEnd}).
 *
 * @example
 * ```ts
 * webhooks.onJobEnd("MARC Export to Dev1", exportMarc, { acceptedStatuses: ["COMPLETED_SUCCESS"] });
 * ```
 */
export interface JobEndHandlerOptions extends HandlerOptions {
  /** Only job ends with one of these statuses (`job_instance.status.value`) call it; every status when absent. */
  readonly acceptedStatuses?: readonly string[];
}

/**
 * What {@link createWebhooks} takes: the secret (or secrets) and, optionally, the router's options. Every
 * setting is given in code; nothing is read from the environment.
 *
 * @example
 * ```ts
 * const options: WebhooksOptions = { secret: "itsasecret", workspace: "prod", institutions: ["01MIT_INST"] };
 * ```
 */
export type WebhooksOptions = Omit<WebhookRouterOptions, "secrets" | "plugins" | "dispatcher" | "logger"> & {
  /** The webhook secret. */
  readonly secret?: string;
  /** Several secrets (rotation), or a `SecretSource`; instead of `secret`. */
  readonly secrets?: Secrets;
  /**
   * Only webhooks of these institutions (`institution.value`, like `01MIT_INST`) call handlers; all when
   * absent. The environment gate of the kinds other than JOB_END, whose gate is `workspace`.
   */
  readonly institutions?: readonly string[];
  /** Where the decision lines go; default: warnings and errors to the console, nothing else. */
  readonly logger?: Logger;
};

/**
 * Handlers of Alma webhooks, by kind: a {@link WebhookRouter} too, so every adapter serves it
 * (`createNodeMiddleware(webhooks)`, `createFetchHandler(webhooks)`, `createFastifyPlugin(webhooks)`, and on
 * Lambda `(event) => handleLambdaEvent(webhooks, event)`). Register handlers before serving; each registration returns
 * the object, so calls chain.
 *
 * @example
 * ```ts
 * const webhooks = createWebhooks({ secret: process.env.ALMA_CHALLENGE_SECRET ?? "" });
 * webhooks
 *   .on("LOAN.LOAN_CREATED", ({ payload, id }) => console.log(id, payload.item_loan?.loan_id))
 *   .onJobEnd("MARC Export to Dev1", ({ payload }) => console.log(payload.job_instance.name))
 *   .onError((error, { handler }) => console.error(handler, error));
 * ```
 */
export interface Webhooks extends WebhookRouter {
  /**
   * Calls `handler` for every webhook of an action (`"LOAN"`, `"JOB_END"`) or of one event of it
   * (`"LOAN.LOAN_CREATED"`), its payload typed for the action. JOB_END: every job end of this workspace,
   * whatever its status (see {@link Webhooks.onJobEnd} for one job). The name is one of
   * {@link AlmaEventName}: a misspelled one fails to compile and is refused at run time with the nearest
   * name ("did you mean"); for a name Alma adds later, use {@link Webhooks.onUnchecked}.
   */
  on<E extends AlmaEventName>(
    event: E,
    handler: WebhookHandler<PayloadOf<ActionOf<E>>>,
    options?: HandlerOptions,
  ): this;
  /**
   * As {@link Webhooks.on}, for a name that core's schemas do not document yet (an event Alma added after
   * this version): any upper-case `ACTION` or `ACTION.EVENT`. The payload is typed by the action when core
   * knows it. A name one or two letters from a documented one is registered too, with a warning that names
   * the nearest (the logger's, or the console's).
   *
   * @example
   * ```ts
   * webhooks.onUnchecked("LOAN.LOAN_RECALLED", ({ payload }) => console.log(payload.item_loan?.loan_id));
   * ```
   */
  onUnchecked<E extends string>(
    event: E,
    handler: WebhookHandler<PayloadOf<ActionOf<E>>>,
    options?: HandlerOptions,
  ): this;
  /** Calls `handler` when the job of this exact name (ignoring case) ends, whatever its status unless told. */
  onJobEnd(jobName: string, handler: WebhookHandler<JobEndPayload>, options?: JobEndHandlerOptions): this;
  /** Calls `handler` for every webhook of every Alma action ({@link AlmaAction}). */
  onAny(handler: WebhookHandler, options?: HandlerOptions): this;
  /** Calls `handler` with every error a handler throws, before the 500 (or 503) answer. */
  onError(handler: ErrorHandler): this;
  /** The plugins the handlers made, in order of registration. */
  readonly plugins: readonly WebhookPlugin[];
}

const WORD = "[A-Z][A-Z0-9_]*";
const EVENT_NAME = new RegExp(`^(${WORD})(?:\\.(${WORD}))?$`);

const KNOWN_NAMES: ReadonlySet<string> = new Set(ALMA_EVENT_NAMES);

/**
 * What is wrong with an event name that core's schemas do not document, with the nearest documented one
 * when it looks misspelled; undefined for a documented name.
 */
export function unknownEventName(name: string): string | undefined {
  if (KNOWN_NAMES.has(name)) return undefined;
  const nearest = closestName(name, KNOWN_NAMES);
  if (nearest !== undefined) {
    return `'${name}': no Alma action or event has this name; did you mean "${nearest}"?`;
  }
  return `'${name}': no Alma action or event that core's schemas document has this name (see AlmaEventName); for one Alma added since, use onUnchecked("${name}", handler).`;
}

const consoleLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (message, ...fields) => console.warn(message, ...fields),
  error: (message, ...fields) => console.error(message, ...fields),
};

/** A plugin name from what a handler listens to: upper case, `_` for anything else, 32 characters at most. */
const nameOf = (text: string): string =>
  text
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 32) || "HANDLER";

/**
 * Creates handlers of Alma webhooks: register a function per kind with `on`, serve the result with any
 * adapter. It verifies the signature, answers the challenge, and calls the functions that listen to each
 * webhook; the answer is 200 when they resolve, 500 when one throws (503 for a {@link TransientError}).
 * Each handler is a plugin whose dispatch calls the function, so the router's decisions, gates and
 * answers are the same as for any plugin. Throws `InvalidRouterOptionsError` at once without a secret.
 *
 * @example
 * ```ts
 * import { createWebhooks } from "@alma-webhooks/core";
 * import { createNodeMiddleware } from "@alma-webhooks/core/node";
 * import { createServer } from "node:http";
 *
 * const webhooks = createWebhooks({ secret: process.env.ALMA_CHALLENGE_SECRET ?? "" });
 * webhooks.on("LOAN.LOAN_CREATED", ({ payload, id }) => console.log(id, payload.item_loan?.loan_id));
 * createServer(createNodeMiddleware(webhooks, { path: "/alma/webhook" })).listen(3000);
 * ```
 */
export function createWebhooks(options: WebhooksOptions): Webhooks {
  const { secret, secrets, institutions, logger, ...rest } = options;
  const handlers = new Map<string, WebhookHandler>();
  const errorHandlers: ErrorHandler[] = [];
  const plugins: WebhookPlugin[] = [];
  const active: ActivePlugin[] = [];

  const dispatcher: ExecutionDispatcher = {
    async start(request: ExecutionRequest, webhook?: DispatchedWebhook): Promise<DispatchResult> {
      const handler = handlers.get(request.target);
      if (handler === undefined || webhook === undefined) {
        return { status: "failed", transient: false, error: `no handler named ${request.target}` };
      }
      const context: HandlerContext = {
        payload: webhook.payload,
        id: request.name,
        rawBody: webhook.rawBody,
        action: webhook.payload.action,
        event: eventValueOf(webhook.payload),
      };
      try {
        await handler(context);
        return { status: "started", deliveredTo: request.name, handled: true };
      } catch (error) {
        for (const onError of errorHandlers) {
          try {
            await onError(error, { ...context, handler: request.target });
          } catch {
            // An error handler's own failure must not change the answer.
          }
        }
        return { status: "failed", transient: isTransient(error), error: messageOf(error) };
      }
    },
  };

  const build = (): WebhookRouter =>
    createWebhookRouter({
      ...rest,
      secrets: secrets ?? [secret ?? ""],
      plugins: active,
      dispatcher,
      logger: logger ?? consoleLogger,
    });
  // Built now to check the options at once; built again, once, after handlers were added.
  let router: WebhookRouter | undefined = build();
  const current = (): WebhookRouter => {
    router ??= build();
    return router;
  };

  function register(
    base: string,
    handler: WebhookHandler,
    definition: {
      readonly actions: readonly string[];
      readonly events?: readonly string[];
      readonly jobName?: string;
      readonly acceptedStatuses?: readonly string[];
    },
    name?: string,
  ): void {
    let chosen = name ?? base;
    for (let n = 2; name === undefined && handlers.has(chosen); n += 1) chosen = `${base.slice(0, 28)}_${n}`;
    const { jobName, ...claim } = definition;
    const plugin = definePlugin<"handler", string>({
      name: chosen,
      // Never read from the environment: the handler is activated below with its name as the setting.
      settings: {
        handler: { env: "ALMA_WEBHOOK_HANDLER", description: "The handler (set in code)", optional: true },
      },
      activatedBy: "handler",
      ...claim,
      ...(jobName === undefined ? {} : { jobMatcher: () => exactName(jobName) }),
      ...(institutions === undefined ? {} : { institutions: () => institutions }),
      target: ({ handler: target }) => target,
      buildExecution: (payload, { executionName }) => ({
        input: payload,
        name: executionName(payload.action.toLowerCase().replace(/_/g, "-")),
      }),
    });
    if (handlers.has(chosen)) throw new InvalidPluginError(`Two handlers are named '${chosen}'.`);
    handlers.set(chosen, handler);
    plugins.push(plugin);
    active.push(activatePlugin(plugin, { handler: chosen }));
    router = undefined;
  }

  /**
   * Registers a handler of an action or `ACTION.EVENT`. `known`: the name must be an {@link AlmaEventName};
   * otherwise (onUnchecked) any name is taken, one that looks like a documented name misspelled with a
   * warning, since a new event of Alma's may be one letter from an old one.
   */
  function listen(
    event: string,
    handler: WebhookHandler,
    handlerOptions: HandlerOptions | undefined,
    known: boolean,
  ) {
    const match = EVENT_NAME.exec(event);
    if (match === null) {
      throw new InvalidPluginError(
        `Handler of '${event}': name an action or an action and an event, in upper case: "LOAN", "LOAN.LOAN_CREATED".`,
      );
    }
    const [, action = "", eventValue] = match;
    if (action === "JOB_END" && eventValue !== undefined) {
      throw new InvalidPluginError(
        `Handler of '${event}': a job end has no event; use onJobEnd("<job name>", handler) for one job.`,
      );
    }
    const unknown = unknownEventName(event);
    if (unknown !== undefined && known) throw new InvalidPluginError(`Handler of ${unknown}`);
    if (unknown?.includes("did you mean")) {
      (logger ?? consoleLogger).warn(`onUnchecked handler of ${unknown} It is registered as given.`);
    }
    register(
      eventValue ?? action,
      handler,
      { actions: [action], ...(eventValue === undefined ? {} : { events: [eventValue] }) },
      handlerOptions?.name,
    );
  }

  const webhooks: Webhooks = {
    on(event, handler, handlerOptions) {
      listen(event, handler as WebhookHandler, handlerOptions, true);
      return this;
    },
    onUnchecked(event, handler, handlerOptions) {
      listen(event, handler as WebhookHandler, handlerOptions, false);
      return this;
    },
    onJobEnd(jobName, handler, handlerOptions) {
      if (typeof jobName !== "string" || jobName.trim() === "") {
        throw new InvalidPluginError("onJobEnd needs the job's name.");
      }
      register(
        nameOf(jobName),
        handler as WebhookHandler,
        {
          actions: ["JOB_END"],
          jobName,
          ...(handlerOptions?.acceptedStatuses ? { acceptedStatuses: handlerOptions.acceptedStatuses } : {}),
        },
        handlerOptions?.name,
      );
      return this;
    },
    onAny(handler, handlerOptions) {
      register("ANY", handler, { actions: ALMA_ACTIONS }, handlerOptions?.name);
      return this;
    },
    onError(handler) {
      errorHandlers.push(handler);
      return this;
    },
    get plugins() {
      return [...plugins];
    },
    handleRequest: (request) => current().handleRequest(request),
    outcomeOf: (request) => current().outcomeOf(request),
    maxBodyBytes: router.maxBodyBytes,
  };
  return webhooks;
}
