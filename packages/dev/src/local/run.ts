import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { routeVariables } from "@alma-webhooks/aws";
import { type ActivePlugin, ConfigurationError, type Decision, SIGNATURE_HEADER } from "@alma-webhooks/core";
import { loadConfiguration, SHELL_VARIABLES } from "@alma-webhooks/lambda/config";
import { deployedPlugins } from "@alma-webhooks/lambda/plugins";
import { createWebhookHandler } from "@alma-webhooks/lambda/webhook-handler";
import { type LocalStepFunctions, startLocalStepFunctions } from "@alma-webhooks/local-aws/endpoint";
import { LocalSettingsError } from "@alma-webhooks/local-aws/errors";
import { isLoopback } from "@alma-webhooks/local-aws/http";
import { localDeliveriesSource, REDELIVERY_HEADER } from "../page/local-source.js";
import { DELIVERIES_PATH, deliveriesPages } from "../page/routes.js";
import { DEFAULT_HOST, DEFAULT_PORT, DEV_SECRET, localSettings } from "./defaults.js";
import { eventSamples } from "./event-samples.js";
import {
  localStateMachineArn,
  samplePayloads,
  samplesOf,
  stateMachineVariables,
  storedSecretOf,
  withDefaults,
} from "./pipelines.js";
import { type ServedRequest, startLocalServer } from "./server.js";
import { getStoredSecret } from "./stored-secret-calls.js";
import {
  appendWebhook,
  webhookJournalPath as journalPathOf,
  serverStatePath,
  type WebhookJournalEntry,
} from "./webhook-journal.js";
import { describeDecision, markRepeats, webhookLine } from "./webhook-line.js";

/**
 * What a running `make run` tells the CLI (`rotate-secret`): its URL, its endpoint's, and the stored secret
 * it serves. Written into server.json beside the webhook journal while it runs.
 */
export interface LocalServerState {
  readonly url: string;
  readonly endpoint?: string;
  readonly storedSecret?: { readonly store: "secrets-manager" | "ssm"; readonly id: string };
}

/** Options of {@link startLocalRun}; the defaults are what `make run` uses. */
export interface LocalRunOptions {
  /**
   * Read for every setting. The AWS SDK variables (`AWS_ENDPOINT_URL_SFN`, `AWS_REGION`, dummy
   * credentials) are written into it, because the SDK reads them from `process.env` itself; tests pass a
   * copy. Default `process.env`.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** The banner and one line per request. Default: stdout. */
  readonly out?: (line: string) => void;
  /** Paths in the banner are shown relative to it, ready to paste. Default: the working directory. */
  readonly cwd?: string;
}

/** A running local server and, unless turned off, its embedded Step Functions endpoint. */
export interface LocalRun {
  /** e.g. `http://127.0.0.1:9000` */
  readonly url: string;
  /** The embedded endpoint's URL; undefined with `ALMA_LOCAL_SFN=off`. */
  readonly stepFunctionsUrl: string | undefined;
  /** Where started executions are journalled; undefined with `ALMA_LOCAL_SFN=off`. */
  readonly journalPath: string | undefined;
  /** Where every webhook received is journalled (`alma-webhook deliveries`). */
  readonly webhookJournalPath: string;
  /** The embedded endpoint itself (tests inject faults through it); undefined with `ALMA_LOCAL_SFN=off`. */
  readonly endpoint: LocalStepFunctions | undefined;
  /** Close the server, then the endpoint. */
  close(): Promise<void>;
}

const BIN = fileURLToPath(new URL("../../../bin/alma-webhook.js", import.meta.url));

/** Shown as set, never as their value: the banner ends up in terminals and screenshots. */
const SECRET_VARIABLES = new Set(["ALMA_CHALLENGE_SECRET", "ALMA_PREVIOUS_CHALLENGE_SECRETS", "SENTRY_DSN"]);

/** Every variable the deployment reads: the shell's, then each plugin's, in declaration order. */
function configurationVariables(): string[] {
  const names = Object.keys(SHELL_VARIABLES);
  for (const plugin of deployedPlugins) {
    for (const spec of Object.values(plugin.settings)) names.push(spec.env);
  }
  return [...new Set(names)];
}

function shown(name: string, value: string | undefined): string {
  if (value === undefined || value === "") return "(not set)";
  if (SECRET_VARIABLES.has(name) && !(name === "ALMA_CHALLENGE_SECRET" && value === DEV_SECRET)) {
    return `(set, ${value.length} characters)`;
  }
  return value;
}

/** Quotes a path or URL for a POSIX shell only when it needs it, so the common case stays readable. */
const shellWord = (word: string): string =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;

/** One line per plugin of the list: where its executions go, or why it is off. */
function pipelineLines(active: readonly ActivePlugin[]): string[] {
  const width = Math.max(...deployedPlugins.map((plugin) => plugin.name.length));
  return deployedPlugins.map((plugin) => {
    const loaded = active.find((candidate) => candidate.plugin === plugin);
    const samples = samplesOf(plugin).length;
    const state = loaded === undefined ? "inactive" : `starts ${loaded.target}`;
    return `  ${plugin.name.padEnd(width)}  ${state}  (${samples} sample payload${samples === 1 ? "" : "s"})`;
  });
}

/** One line per forward route (ALMA_FORWARD_<ROUTE>_*): what it forwards where, or that it is broken. */
function routeLines(
  active: readonly ActivePlugin[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const routes = active.filter((loaded) => !deployedPlugins.includes(loaded.plugin));
  if (routes.length === 0) return ["Forward routes: none (ALMA_FORWARD_<ROUTE>_TARGET and _EVENTS add one)"];
  const width = Math.max(...routes.map((route) => route.name.length));
  return [
    "Forward routes (ALMA_FORWARD_<ROUTE>_*):",
    ...routes.map((route) => {
      const events = env[routeVariables(route.name).EVENTS]?.trim() ?? "";
      const state = route.problems ? `broken: ${route.problems.join(" ")}` : `forwards to ${route.target}`;
      return `  ${route.name.padEnd(width)}  ${state}${events ? `  (${events})` : ""}`;
    }),
  ];
}

/** Where the secret comes from in the stored-secret mode, and how to rotate it. */
function storedSecretLines(env: Readonly<Record<string, string | undefined>>, local: boolean): string[] {
  const stored = storedSecretOf(env);
  if (stored === undefined) return [];
  const store = stored.store === "ssm" ? "SSM parameter" : "Secrets Manager secret";
  return local
    ? [
        `  Stored secret: ${store} ${stored.id} (${stored.variable}), served by the local endpoint`,
        `    holding the development secret '${DEV_SECRET}'; alma-webhook rotate-secret NEW changes it`,
      ]
    : [`  Stored secret: ${store} ${stored.id} (${stored.variable}), read from AWS`];
}

function banner(
  run: LocalRun,
  env: Readonly<Record<string, string | undefined>>,
  defaulted: readonly string[],
  active: readonly ActivePlugin[],
  warnings: readonly string[],
  cwd: string,
): string[] {
  const path = (absolute: string) => {
    const rel = relative(cwd, absolute);
    return shellWord(rel.startsWith("..") || rel === "" ? absolute : rel);
  };
  const standardUrl = run.url === `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;
  const urlOption = standardUrl ? "" : ` --url ${run.url}/`;
  const devSecret = env.ALMA_CHALLENGE_SECRET === DEV_SECRET || (storedSecretOf(env) && run.stepFunctionsUrl);
  const secretPrefix = devSecret ? "" : "ALMA_CHALLENGE_SECRET=<your secret> ";
  const cli = `${secretPrefix}node ${path(BIN)}`;
  const names = configurationVariables();
  const sampled = deployedPlugins.find((plugin) => samplesOf(plugin).length > 0);
  const width = Math.max(...names.map((name) => name.length));
  return [
    // The machine-readable line: tests and scripts read the port from it.
    `listening on ${run.url}`,
    "",
    "alma-webhooks local server",
    `  Function URL  ${run.url}/  (GET ?challenge=..., POST a signed webhook)`,
    `  Emulator      ${run.url}/2015-03-31/functions/function/invocations  (POST a Lambda event)`,
    `  Deliveries    ${run.url}${DELIVERIES_PATH}  (every webhook, its story, redeliver: open it in a browser)`,
    run.stepFunctionsUrl === undefined
      ? "  Step Functions: real AWS (ALMA_LOCAL_SFN=off): pipelines really start"
      : `  Step Functions, SQS, EventBridge: local endpoint AWS_ENDPOINT_URL_SFN=${run.stepFunctionsUrl} (also _SQS, _EVENTBRIDGE)`,
    ...(run.journalPath === undefined
      ? []
      : [
          `  Executions journal: ${path(run.journalPath)}  (nothing runs local executions: each stays RUNNING)`,
        ]),
    `  Webhooks journal:   ${path(run.webhookJournalPath)}  (every webhook received; alma-webhook deliveries)`,
    ...storedSecretLines(env, run.stepFunctionsUrl !== undefined),
    "",
    "Pipelines (the plugin list of packages/lambda/src/plugins.ts):",
    ...pipelineLines(active),
    ...routeLines(active, env),
    "",
    "Configuration (set any of these to override its default):",
    ...names.map(
      (name) =>
        `  ${name.padEnd(width)}  ${shown(name, env[name])}${defaulted.includes(name) ? "  (default)" : ""}`,
    ),
    "",
    "Try it from another terminal:",
    `  curl "${run.url}/?challenge=hello"`,
    ...(sampled === undefined ? [] : [`  ${cli} send${urlOption} --sample ${sampled.name}`]),
    `  ${cli} replay${urlOption}    # every plugin's sample payloads`,
    `  curl -XPOST "${run.url}/2015-03-31/functions/function/invocations" -d "{}"`,
    ...(run.journalPath === undefined
      ? []
      : [`  node ${path(BIN)} executions --journal ${path(run.journalPath)}`]),
    `  node ${path(BIN)} deliveries    # every webhook received; resend ID sends one again`,
    "Ctrl-C stops the server.",
    "",
    // Last, apart from the banner, where they are seen: nothing is printed after them until a request.
    ...(warnings.length === 0
      ? []
      : [`Warnings (${warnings.length}):`, ...warnings.map((warning) => `  warning: ${warning}`), ""]),
  ];
}

/** The SDK's endpoint variables of the services the local endpoint answers. */
const LOCAL_ENDPOINT_VARIABLES = [
  "AWS_ENDPOINT_URL_SFN",
  "AWS_ENDPOINT_URL_SQS",
  "AWS_ENDPOINT_URL_EVENTBRIDGE",
  "AWS_ENDPOINT_URL_SECRETS_MANAGER",
  "AWS_ENDPOINT_URL_SSM",
] as const;

/** Points the real SDK clients at the endpoint; dummy region and credentials only where none are set. */
function pointSdkAt(env: NodeJS.ProcessEnv, endpoint: LocalStepFunctions): void {
  for (const name of LOCAL_ENDPOINT_VARIABLES) env[name] = endpoint.url;
  env.AWS_REGION ||= "us-east-1";
  // Both or neither: a lone access key id would make the SDK look for the secret elsewhere and fail.
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) {
    env.AWS_ACCESS_KEY_ID = "local";
    env.AWS_SECRET_ACCESS_KEY = "local";
    delete env.AWS_SESSION_TOKEN;
  }
}

/**
 * Against real AWS the handler starts real pipelines: a secret anyone can read (the published development
 * one, or none that the operator chose) would let any local process or web page start them.
 */
function assertOwnSecret(env: Readonly<Record<string, string | undefined>>): void {
  const previous = (env.ALMA_PREVIOUS_CHALLENGE_SECRETS ?? "").split(",").map((secret) => secret.trim());
  const secret = env.ALMA_CHALLENGE_SECRET?.trim();
  if (storedSecretOf(env) && !previous.includes(DEV_SECRET)) return;
  if (!secret || secret === DEV_SECRET || previous.includes(DEV_SECRET)) {
    throw new LocalSettingsError(
      `ALMA_LOCAL_SFN=off starts real pipelines: set ALMA_CHALLENGE_SECRET to your webhook's own secret (not the published development secret '${DEV_SECRET}')`,
    );
  }
}

/** Every sample the deliveries page offers: each plugin's, then one per kind of webhook. */
function pageSamples(): { name: string; body: Buffer }[] {
  const seen = new Set<string>();
  return [...samplePayloads(), ...eventSamples()].filter((sample) => {
    if (seen.has(sample.name)) return false;
    seen.add(sample.name);
    return true;
  });
}

/**
 * The secret the handler accepts now, to sign a redelivery or a sample as Alma would: the stored secret as
 * the local endpoint holds it (after any `rotate-secret`), else `ALMA_CHALLENGE_SECRET`.
 */
async function currentSecret(
  env: Readonly<Record<string, string | undefined>>,
  endpoint: LocalStepFunctions | undefined,
): Promise<string> {
  const stored = storedSecretOf(env);
  if (stored === undefined || endpoint === undefined) {
    const secret = env.ALMA_CHALLENGE_SECRET?.trim();
    if (secret) return secret;
    throw new LocalSettingsError(
      "Set ALMA_CHALLENGE_SECRET to redeliver: the stored secret is read from AWS",
    );
  }
  const ssm = stored.store === "ssm";
  const response = await getStoredSecret(endpoint.url, stored);
  const answer = (await response.json()) as { SecretString?: string; Parameter?: { Value?: string } };
  const value = ssm ? answer.Parameter?.Value : answer.SecretString;
  if (!response.ok || !value) throw new LocalSettingsError(`The local endpoint has no secret ${stored.id}`);
  return value.trim();
}

/**
 * Starts what `make run` runs: the embedded Step Functions endpoint (unless `ALMA_LOCAL_SFN=off`), the
 * webhook handler with the local defaults filled in, and the local HTTP server; then prints the banner.
 *
 * @throws LocalSettingsError (also for `ALMA_LOCAL_SFN=off` without a secret of the operator's own),
 * ConfigurationError, PortInUseError or ListenError, with a message to show as is.
 * @example
 * ```ts
 * const run = await startLocalRun();
 * // ...
 * await run.close();
 * ```
 */
export async function startLocalRun(options: LocalRunOptions = {}): Promise<LocalRun> {
  const processEnv = options.env ?? process.env;
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const settings = localSettings(processEnv);
  if (!settings.localStepFunctions) assertOwnSecret(processEnv);
  const { env, defaulted } = withDefaults(processEnv, { realAws: !settings.localStepFunctions });
  const stored = storedSecretOf(env);
  // One readable line per webhook; the JSON log lines (Lambda's) with ALMA_LOCAL_LOG=json.
  const jsonLog = processEnv.ALMA_LOCAL_LOG?.trim().toLowerCase() === "json";
  const handlerEnv = jsonLog || env.POWERTOOLS_LOG_LEVEL ? env : { ...env, POWERTOOLS_LOG_LEVEL: "SILENT" };
  const webhookJournalPath = journalPathOf(processEnv, process.cwd());
  const statePath = serverStatePath(webhookJournalPath);
  // Fail here, with every problem listed, rather than answer each request 500.
  const configuration = loadConfiguration(env, deployedPlugins);
  // A deployed function answers a broken plugin's jobs 500; a developer wants to hear about it now.
  if (configuration.problems.length > 0) throw new ConfigurationError(configuration.problems);
  const warnings = [...configuration.warnings];
  if (!isLoopback(settings.host)) {
    warnings.push(
      `ALMA_LOCAL_HOST=${settings.host} is not a loopback address: other hosts can reach this server and sign with its secret.`,
    );
  }

  let endpoint: LocalStepFunctions | undefined;
  if (settings.localStepFunctions) {
    for (const name of LOCAL_ENDPOINT_VARIABLES) {
      if (processEnv[name]) {
        warnings.push(
          `${name}=${processEnv[name]} is replaced by the local endpoint; set ALMA_LOCAL_SFN=off to use it.`,
        );
      }
    }
    // Every plugin's local state machine stays known even when overridden, plus those the user configured.
    const arns = new Set(deployedPlugins.map(localStateMachineArn));
    for (const name of stateMachineVariables()) {
      const value = env[name]?.trim();
      if (value) arns.add(value);
    }
    endpoint = await startLocalStepFunctions({
      port: settings.stepFunctionsPort,
      stateMachineArns: [...arns],
      journalPath: settings.journalPath,
      // The stored-secret mode: the development secret, under the ARN or name the user chose.
      ...(stored ? { secrets: { [stored.id]: DEV_SECRET } } : {}),
      // Its "listening" line would repeat the banner.
      logger: (line) => {
        if (!line.startsWith("local Step Functions listening")) out(`[local aws] ${line}`);
      },
    });
    // Before the HTTP server listens: no request may reach a client built against real AWS.
    pointSdkAt(processEnv, endpoint);
  }

  // Then the HTTP server; a port already in use is the likeliest failure, and its message the only output.
  let server: Awaited<ReturnType<typeof startLocalServer>>;
  const decisions = new Map<string, Decision>();
  // What this run delivered: the local endpoint forgets its executions and messages when it stops, so do we.
  const delivered = new Set<string>();
  const record = (request: ServedRequest) => {
    const decision = decisions.get(request.requestId);
    decisions.delete(request.requestId);
    const signed = request.headers[SIGNATURE_HEADER.toLowerCase()] !== undefined;
    const redeliveryOf = request.headers[REDELIVERY_HEADER];
    const text = request.body.toString("utf8");
    const binary = !Buffer.from(text, "utf8").equals(request.body);
    const described = decision
      ? describeDecision(decision, request.body, signed, request.answer, configuration.plugins, env)
      : {
          kind: `${request.method} ${request.path}${request.emulator ? " (emulator)" : ""}`,
          reason: request.status >= 400 ? request.answer.replace(/\s+/g, " ").slice(0, 160) : "",
          decisions: [],
        };
    const entry: WebhookJournalEntry = {
      id: request.requestId.slice(0, 8),
      requestId: request.requestId,
      time: request.time.toISOString(),
      method: request.method,
      path: request.path,
      status: request.status,
      answer: request.answer,
      ms: request.ms,
      signed,
      ...(typeof request.headers["content-type"] === "string"
        ? { contentType: request.headers["content-type"] }
        : {}),
      body: binary ? request.body.toString("base64") : text,
      ...(binary ? { bodyEncoding: "base64" as const } : {}),
      ...described,
      decisions: markRepeats(described.decisions, delivered),
      ...(typeof redeliveryOf === "string" && redeliveryOf !== "" ? { redeliveryOf } : {}),
    };
    try {
      appendWebhook(webhookJournalPath, entry);
    } catch (error) {
      out(`warning: could not write ${webhookJournalPath}: ${(error as Error).message}`);
    }
    if (!jsonLog) out(webhookLine(entry));
  };
  try {
    server = await startLocalServer({
      invoke: createWebhookHandler({
        env: handlerEnv,
        onDecision: (decision) => {
          // An emulator event carries its own request id, which no served request claims: keep the map small.
          if (decisions.size > 100) decisions.clear();
          if (decision.requestId) decisions.set(decision.requestId, decision);
        },
      }),
      host: settings.host,
      port: settings.port,
      anyHost: settings.hostChosen,
      log: (line) => {
        if (jsonLog) out(`[http] ${line}`);
      },
      onRequest: record,
      pages: deliveriesPages(
        localDeliveriesSource({
          journalPath: webhookJournalPath,
          url: () => server.url,
          secret: () => currentSecret(env, endpoint),
          samples: pageSamples(),
        }),
      ),
    });
  } catch (error) {
    await endpoint?.close();
    throw error;
  }

  const run: LocalRun = {
    url: server.url,
    stepFunctionsUrl: endpoint?.url,
    journalPath: endpoint ? settings.journalPath : undefined,
    webhookJournalPath,
    endpoint,
    async close() {
      rmSync(statePath, { force: true });
      await server.close();
      await endpoint?.close();
    },
  };
  {
    const state: LocalServerState = {
      url: server.url,
      ...(endpoint ? { endpoint: endpoint.url } : {}),
      ...(stored && endpoint ? { storedSecret: { store: stored.store, id: stored.id } } : {}),
    };
    try {
      mkdirSync(dirname(statePath), { recursive: true });
      writeFileSync(statePath, `${JSON.stringify(state, null, 2)}\n`);
    } catch {
      // Only rotate-secret reads it, and says so when it is missing.
    }
  }
  const cwd = options.cwd ?? process.cwd();
  for (const line of banner(run, env, defaulted, configuration.plugins, warnings, cwd)) out(line);
  return run;
}

/**
 * Runs {@link startLocalRun} until SIGINT (Ctrl-C) or SIGTERM, then closes everything and resolves to
 * the exit code, 0. A second Ctrl-C while closing ends the process at once.
 *
 * @example
 * ```ts
 * process.exitCode = await serveUntilSignal();
 * ```
 */
export async function serveUntilSignal(options: LocalRunOptions = {}): Promise<number> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  // Listening before the banner is out: whoever reads the banner may stop the server at once.
  let stop: (signal: NodeJS.Signals) => void = () => {};
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    stop = (received) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(received);
    };
  });
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  let run: LocalRun;
  try {
    run = await startLocalRun({ ...options, out });
  } catch (error) {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    throw error;
  }
  const signal = await stopped;
  out(`${signal} received: stopping the local server`);
  await run.close();
  out("stopped");
  return 0;
}
