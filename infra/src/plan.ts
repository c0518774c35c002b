import { execFile } from "node:child_process";
import { DEFAULT_METRICS_NAMESPACE, DEFAULT_SERVICE_NAME, WEBHOOK_MEMORY_MB } from "./alma-webhooks.js";
import type { FunctionChecks } from "./lambda-bundle.js";
import { DEFAULT_ROLLBACK_SIGNATURE_FAILURES, LIVE_ALIAS, RELEASES } from "./release.js";
import { loadStage, type Stage, StageError, stageNames } from "./stage.js";
import { DEFAULT_UNDELIVERED_RETENTION_DAYS } from "./undelivered.js";

/** What one AWS CLI call gave: its JSON answer, or why there is none. */
export type AwsAnswer =
  | { readonly ok: true; readonly json: unknown }
  | {
      readonly ok: false;
      /** no-credentials, unreachable, not-found, denied, no-cli or failed. */
      readonly kind: "no-credentials" | "unreachable" | "not-found" | "denied" | "no-cli" | "failed";
      readonly message: string;
    };

/** Runs one AWS CLI command: `aws <args> --output json`. */
export type AwsCli = (args: readonly string[]) => Promise<AwsAnswer>;

/**
 * Classifies an AWS CLI failure by its message, for the plan's "unknown: …" and the refusals.
 *
 * @example
 * ```ts
 * classifyAwsFailure("Unable to locate credentials.").kind; // "no-credentials"
 * ```
 */
export function classifyAwsFailure(stderr: string): AwsAnswer & { ok: false } {
  const message =
    stderr
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "")
      .at(-1) ?? "no message";
  const kind =
    /Unable to locate credentials|NoCredentialProviders|could not be found|No credentials|profile .* not found|Token has expired|ExpiredToken/i.test(
      stderr,
    )
      ? "no-credentials"
      : /ResourceNotFoundException|does not exist|NotFound/i.test(stderr)
        ? "not-found"
        : /Could not connect|Connect timeout|Read timeout|Name or service not known|getaddrinfo|EndpointConnectionError|timed out/i.test(
              stderr,
            )
          ? "unreachable"
          : /AccessDenied|not authorized|InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch|security token/i.test(
                stderr,
              )
            ? "denied"
            : "failed";
  return { ok: false, kind, message };
}

/**
 * The AWS CLI (`ALMA_AWS_CLI`, default `aws`), with short timeouts and one attempt: a plan without a
 * network answers "unknown" within seconds, not minutes.
 *
 * @example
 * ```ts
 * const answer = await awsCli("us-east-1")(["sts", "get-caller-identity"]);
 * ```
 */
export function awsCli(region: string, command = process.env.ALMA_AWS_CLI ?? "aws"): AwsCli {
  return (args) =>
    new Promise((resolve) => {
      execFile(
        command,
        [
          ...args,
          "--region",
          region,
          "--output",
          "json",
          "--cli-connect-timeout",
          "5",
          "--cli-read-timeout",
          "10",
        ],
        { timeout: 30_000, env: { ...process.env, AWS_MAX_ATTEMPTS: "1", AWS_PAGER: "" } },
        (error, stdout, stderr) => {
          if (!error) {
            try {
              resolve({ ok: true, json: stdout.trim() === "" ? {} : JSON.parse(stdout) });
            } catch {
              resolve({ ok: false, kind: "failed", message: `not JSON: ${stdout.slice(0, 200)}` });
            }
            return;
          }
          if ((error as NodeJS.ErrnoException).code === "ENOENT") {
            resolve({ ok: false, kind: "no-cli", message: `the AWS CLI (${command}) is not installed` });
          } else if (error.killed) {
            resolve({ ok: false, kind: "unreachable", message: "no answer within 30 s" });
          } else {
            resolve(classifyAwsFailure(stderr || error.message));
          }
        },
      );
    });
}

/** What the plan found in AWS: each item known, or unknown with the reason. */
export interface AwsFindings {
  readonly account?: string;
  /** Why nothing could be asked (no credentials, unreachable): every item below is then unknown. */
  readonly unavailable?: string;
  readonly unavailableKind?: (AwsAnswer & { ok: false })["kind"];
  readonly secret: "exists" | "missing" | { readonly unknown: string };
  readonly url: string | "not deployed" | { readonly unknown: string };
}

const unknownBecause = (answer: AwsAnswer & { ok: false }): string =>
  answer.kind === "no-credentials"
    ? "no AWS credentials"
    : answer.kind === "unreachable"
      ? `AWS unreachable (${answer.message})`
      : answer.kind === "no-cli"
        ? answer.message
        : answer.kind === "denied"
          ? `not allowed (${answer.message})`
          : answer.message;

/**
 * Asks AWS who we are, whether the secret exists and what the stack's URL is. The first failure stops the asking.
 *
 * @example
 * ```ts
 * const found = await findInAws(stage, awsCli(stage.region));
 * ```
 */
export async function findInAws(stage: Stage, aws: AwsCli): Promise<AwsFindings> {
  const identity = await aws(["sts", "get-caller-identity"]);
  if (!identity.ok) {
    const reason = unknownBecause(identity);
    return {
      unavailable: reason,
      unavailableKind: identity.kind,
      secret: { unknown: reason },
      url: { unknown: reason },
    };
  }
  const account = (identity.json as { Account?: string }).Account;
  const secretAnswer = await aws([
    "secretsmanager",
    "describe-secret",
    "--secret-id",
    stage.configuration.challengeSecretName,
  ]);
  const secret: AwsFindings["secret"] = secretAnswer.ok
    ? "exists"
    : secretAnswer.kind === "not-found"
      ? "missing"
      : { unknown: unknownBecause(secretAnswer) };
  const stackAnswer = await aws([
    "cloudformation",
    "describe-stacks",
    "--stack-name",
    stage.configuration.stackName,
  ]);
  let url: AwsFindings["url"];
  if (stackAnswer.ok) {
    const outputs =
      (stackAnswer.json as { Stacks?: { Outputs?: { OutputKey: string; OutputValue: string }[] }[] })
        .Stacks?.[0]?.Outputs ?? [];
    url = outputs.find((output) => /WebhookUrl/.test(output.OutputKey))?.OutputValue ?? {
      unknown: "the stack has no WebhookUrl output",
    };
  } else {
    url = stackAnswer.kind === "not-found" ? "not deployed" : { unknown: unknownBecause(stackAnswer) };
  }
  return { ...(account ? { account } : {}), secret, url };
}

/**
 * The command that creates the stage's secret: a random value, to type into Alma's integration profile too.
 *
 * @example
 * ```ts
 * console.log(createSecretCommand(stage)); // aws secretsmanager create-secret --region us-east-1 --name …
 * ```
 */
export function createSecretCommand(stage: Stage): string {
  return `aws secretsmanager create-secret --region ${stage.region} --name ${stage.configuration.challengeSecretName} --description "Alma webhook secret (${stage.configuration.workspace})" --secret-string "$(openssl rand -hex 32)"`;
}

/**
 * The plan's lines: what the stage runs, and what AWS said about it.
 *
 * @example
 * ```ts
 * for (const line of planLines(stage, await findInAws(stage, awsCli(stage.region)))) console.log(line);
 * ```
 */
export function planLines(stage: Stage, found: AwsFindings): string[] {
  const { configuration: c } = stage;
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(9)} ${value}`);
  const shell = (name: string) => (stage.fromShell.includes(name) ? " (from the shell)" : "");
  lines.push(
    `Plan for stage ${stage.name} (${stage.path}): stack ${c.stackName}, workspace ${c.workspace}, region ${stage.region}, account ${found.account ?? stage.account ?? "unknown"}`,
  );
  if (stage.fromShell.length > 0)
    lines.push(`  set in the shell, over the file: ${stage.fromShell.join(", ")}`);
  lines.push("  plugins");
  const width = Math.max(...stage.plugins.map((plugin) => plugin.name.length), 6);
  for (const plugin of stage.plugins) {
    const job = plugin.activatedBy ? `${plugin.activatedBy}${shell(plugin.activatedBy)}` : "";
    lines.push(
      plugin.on
        ? `    ${plugin.name.padEnd(width)}  on   job '${plugin.jobName ?? ""}' (${job}) → ${plugin.target ?? "?"}`
        : `    ${plugin.name.padEnd(width)}  off  (${job || "not configured"} not set)`,
    );
  }
  if (c.forwardRoutes.length === 0) {
    lines.push("  routes    none");
  } else {
    lines.push("  routes");
    for (const route of c.forwardRoutes) {
      lines.push(
        `    ${route.name}  ${route.events} → ${route.target}${route.institutions ? ` (institutions ${route.institutions})` : ""}${route.kmsKeyArn ? ` (KMS key ${route.kmsKeyArn})` : ""}`,
      );
    }
  }
  const secretState =
    found.secret === "exists"
      ? "exists"
      : found.secret === "missing"
        ? "MISSING"
        : `unknown: ${found.secret.unknown}`;
  row(
    "secret",
    `${c.challengeSecretName} (Secrets Manager${c.challengeSecretJsonField ? `, JSON field ${c.challengeSecretJsonField}` : ""})${shell("ALMA_CHALLENGE_SECRET_NAME")}: ${secretState}`,
  );
  if (c.previousChallengeSecretName)
    row("previous", `${c.previousChallengeSecretName} (accepted during a rotation)`);
  const retained = c.workspace === "dev" ? "deleted with the stack (dev)" : "kept when the stack is deleted";
  row(
    "table",
    c.ledger
      ? `the delivery ledger, created by the stack (ALMA_IDEMPOTENCY_TABLE); ${retained}`
      : "none (ALMA_LEDGER=off): no delivery history, no exactly-once across Alma's retries",
  );
  row(
    "buckets",
    [
      c.undeliveredBucket
        ? `undelivered webhooks (ALMA_UNDELIVERED_BUCKET), kept ${c.undeliveredRetentionDays ?? DEFAULT_UNDELIVERED_RETENTION_DAYS} days`
        : "no undelivered bucket (ALMA_UNDELIVERED_BUCKET=off)",
      c.largePayloadBucket ? "large payloads (ALMA_LARGE_PAYLOAD_BUCKET)" : "no large-payload bucket",
      ...(c.undeliveredBucket || c.largePayloadBucket ? [retained] : []),
    ].join("; "),
  );
  const notify = c.alarmTopicArn
    ? `notify ${c.alarmTopicArn}${c.alarmEmail ? ` and ${c.alarmEmail}` : ""}`
    : c.alarmEmail
      ? `notify ${c.alarmEmail} (a topic of the stack's; confirm the subscription e-mail AWS sends)`
      : "notify nobody (set ALARM_EMAIL or ALARM_TOPIC_ARN)";
  row(
    "alarms",
    `SignatureFailures, DispatchFailures (5 min), WebhooksNotDelivered (1 min) in ${c.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE}/service=${c.serviceName ?? DEFAULT_SERVICE_NAME}; ${notify}`,
  );
  row("memory", `${c.memoryMb ?? WEBHOOK_MEMORY_MB} MB${shell("ALMA_MEMORY_MB")}`);
  row(
    "release",
    `${c.release}${shell("ALMA_RELEASE")}: ${RELEASES[c.release].description}; Function URL on alias '${LIVE_ALIAS}', rolled back on 5xx answers, function errors, WebhooksNotDelivered, ≥ ${c.rollbackSignatureFailures ?? DEFAULT_ROLLBACK_SIGNATURE_FAILURES} signature failures a minute`,
  );
  const url =
    typeof found.url === "string"
      ? found.url === "not deployed"
        ? "not deployed yet: the WebhookUrl output of the first deployment"
        : found.url
      : `unknown: ${found.url.unknown}`;
  row("URL", url);
  // The plugins' table above already says which plugin is off and why.
  for (const warning of stage.warnings.filter((text) => !/^\S+ plugin is inactive:/.test(text))) {
    lines.push(`  warning: ${warning}`);
  }
  return lines;
}

/**
 * `make plan STAGE=…` (and the first step of `make deploy`): reads and checks the stage (refusing a bad or
 * empty one before any AWS call), asks AWS what it can, prints the plan. With `--deploy`, refuses unless the
 * credentials work and the secret exists. Returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await plan({ stage: "dev", deploy: false, checks, shell: process.env, aws: awsCli, print: console.log });
 * ```
 */
export async function plan(options: {
  readonly stage: string | undefined;
  readonly deploy: boolean;
  readonly checks: FunctionChecks;
  readonly shell: Readonly<Record<string, string | undefined>>;
  readonly aws: (region: string) => AwsCli;
  readonly print: (line: string) => void;
  readonly stagesDir?: string;
}): Promise<number> {
  const { print } = options;
  if (!options.stage) {
    print(
      `Name a stage: make plan STAGE=<stage> (stages: ${stageNames(options.stagesDir).join(", ") || "none"}).`,
    );
    return 2;
  }
  const load = (account?: string) =>
    loadStage({
      stage: options.stage as string,
      checks: options.checks,
      shell: options.shell,
      ...(options.stagesDir ? { stagesDir: options.stagesDir } : {}),
      ...(account ? { account } : {}),
      ...(options.shell.AWS_REGION ? { region: options.shell.AWS_REGION } : {}),
    });
  let stage: Stage;
  try {
    stage = load();
  } catch (error) {
    if (!(error instanceof StageError)) throw error;
    print(`Refused: ${error.message}`);
    return 1;
  }
  const found = await findInAws(stage, options.aws(stage.region));
  // With the account known, the values' ${AWS_ACCOUNT_ID} are shown as they will be deployed.
  if (found.account) stage = load(found.account);
  for (const line of planLines(stage, found)) print(line);
  if (found.secret === "missing") {
    print("");
    print(
      `Refused: the secret ${stage.configuration.challengeSecretName} does not exist in ${stage.region}. Create it:`,
    );
    print(`  ${createSecretCommand(stage)}`);
    print("then give Alma the same value (docs/alma.md):");
    print(
      `  aws secretsmanager get-secret-value --region ${stage.region} --secret-id ${stage.configuration.challengeSecretName} --query SecretString --output text`,
    );
    return 1;
  }
  if (options.deploy) {
    if (found.unavailable) {
      print("");
      print(
        `Refused: cannot deploy: ${found.unavailable}.${found.unavailableKind === "no-credentials" ? " Set AWS credentials (AWS_PROFILE=…, aws sso login, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and retry." : ""}`,
      );
      return 1;
    }
    if (found.secret !== "exists") {
      print("");
      print(
        `Refused: cannot deploy while the secret is unknown (${typeof found.secret === "object" ? found.secret.unknown : found.secret}).`,
      );
      return 1;
    }
  }
  return 0;
}
