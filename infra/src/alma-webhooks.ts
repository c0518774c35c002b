import {
  Arn,
  ArnFormat,
  type CfnElement,
  CfnOutput,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cloudwatchActions,
  Duration,
  type aws_dynamodb as dynamodb,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
  RemovalPolicy,
  Stack,
  type aws_secretsmanager as secretsmanager,
  type aws_sns as sns,
  Token,
  Validations,
} from "aws-cdk-lib";
import { Construct } from "constructs";
import { allowForwarding, checkForwardRoutes, type ForwardRoute } from "./forward-routes.js";
import { LargePayloadBucket } from "./large-payloads.js";
import { DeliveryLedger } from "./ledger.js";
import { WebhookObservability } from "./observability.js";
import { DEFAULT_RELEASE, type ReleaseName, WebhookRelease } from "./release.js";
import { UndeliveredBucket } from "./undelivered.js";

/** One setting of a job plugin, as `@alma-webhooks/core` declares it (`SettingSpec`). */
export interface PluginSettingDescription {
  readonly env: string;
  readonly description: string;
  readonly pattern?: string;
  readonly patternHint?: string;
  readonly example?: string;
  /** The plugin runs without it. */
  readonly optional?: boolean;
}

/**
 * What the construct needs to know of a job plugin: a `JobPlugin` of `@alma-webhooks/core` fits as it is,
 * so the app passes the lambda package's `deployedPlugins` list and tests pass small fakes.
 */
export interface PluginDescription {
  readonly name: string;
  /** The key of the setting whose variable turns the plugin on; every other setting is then required. */
  readonly activatedBy?: string;
  readonly settings: Readonly<Record<string, PluginSettingDescription>>;
}

/** A configuration the function would reject at cold start, caught at synth time instead. */
export class InfraConfigurationError extends Error {
  override readonly name = "InfraConfigurationError";
}

/** The metrics the webhook emits (CloudWatch embedded metric format), each with one alarm. */
export const ALARMED_METRICS = {
  SignatureFailures: "Requests answered 401: the webhook secret changed in Alma, or someone forged a call.",
  DispatchFailures: "Pipeline starts that failed, transient or permanent: a pipeline did not start.",
} as const;

export type AlarmedMetric = keyof typeof ALARMED_METRICS;

/**
 * The metric of webhooks not delivered (contract C1, emitted by the lambda package on every POST decision
 * with the `service` dimension, 0 or 1; with `[service, reason]` too when 1): alarmed on Sum ≥ 1 in 1 minute.
 */
export const NOT_DELIVERED_METRIC = "WebhooksNotDelivered";

export const DEFAULT_METRICS_NAMESPACE = "AlmaWebhooks";
export const DEFAULT_SERVICE_NAME = "alma-webhooks";

/**
 * Memory of the webhook function, chosen for the CPU it buys (Lambda's CPU share grows with memory): at 256 MB
 * (14.5 % of a core) a signed 1 MiB XML body forwarded to a queue is not answered inside the deadline on an
 * instance's first request; at 512 MB (29 %) every measured case is (`make bench-cpu`, docs/performance.md,
 * "Sized for the CPU it gets"). A cold start peaks at about 60 MiB of RSS, far below either.
 */
export const WEBHOOK_MEMORY_MB = 512;

/**
 * The webhook function's timeout. The Step Functions dispatcher gives up after 3 s (`DISPATCH_BUDGET.totalMs`
 * in the lambda package) and Alma after 5 s: 4 s lets the function answer a 5xx itself when a dispatch runs
 * out of budget, and still stops it before Alma has given up on the request.
 */
export const WEBHOOK_TIMEOUT = Duration.seconds(4);

/**
 * Reserved concurrency of the webhook function by default: none. A Function URL answers a throttled request
 * `429`, and Alma retries only 5xx answers and timeouts (Ex Libris' webhook documentation): a reservation
 * would turn a burst into lost webhooks. Unreserved, the function shares the account's concurrency (1,000
 * by default), which Alma's few webhooks a minute never approach. A flood of unsigned requests is better met
 * by CloudFront with AWS WAF rate rules in front of the URL.
 */
export const DEFAULT_RESERVED_CONCURRENCY: number | "none" = "none";

const WORKSPACE = /^[A-Za-z0-9_-]{1,32}$/;

/** The function's own limits the construct passes through (`functionLimits`). */
const FUNCTION_LIMIT_NAMES: readonly string[] = ["ALMA_WEBHOOK_MAX_BODY_BYTES", "ALMA_WEBHOOK_MAX_EVENT_AGE"];

export interface AlmaWebhooksProps {
  /** The runtime environment (`WORKSPACE`): `dev`, `stage` or `prod`. Only jobs whose name contains it are acted on. */
  readonly workspace: string;
  /** The bundle: `lambda.Code.fromAsset("packages/lambda/dist/lambda.zip")` (entry points `webhook.mjs`, `ping.mjs`). */
  readonly code: lambda.Code;
  /**
   * The Secrets Manager secret that holds the webhook secret configured in Alma. The function gets its ARN
   * only (`ALMA_CHALLENGE_SECRET_ARN`) and reads the value at cold start, with `secretsmanager:GetSecretValue`
   * on this secret and no other: the value is in neither the template nor the function's configuration, and a
   * rotation is taken without a redeploy.
   */
  readonly challengeSecret: secretsmanager.ISecret;
  /** A key of the secret's JSON to read instead of the whole secret string (`ALMA_CHALLENGE_SECRET_JSON_FIELD`). */
  readonly challengeSecretJsonField?: string;
  /**
   * During a rotation, the secret that holds the previous webhook secret(s), comma-separated: still accepted
   * (`ALMA_PREVIOUS_CHALLENGE_SECRETS_ARN`) until Alma has the new one. Read like `challengeSecret`.
   */
  readonly previousChallengeSecret?: secretsmanager.ISecret;
  /**
   * Reserved concurrency of the webhook function: at most this many run at once, whatever arrives at the
   * public URL; beyond it Lambda answers 429, which Alma does not retry (the webhook is lost). Default
   * {@link DEFAULT_RESERVED_CONCURRENCY} (none); `undefined` through `reservedConcurrency: 0`
   * is refused (it would stop the function), and none is reserved with `reservedConcurrency: "none"`.
   */
  readonly reservedConcurrency?: number | "none";
  /** The job plugins of the bundle (the lambda package's `deployedPlugins`): the settings below are checked against them. */
  readonly plugins: readonly PluginDescription[];
  /**
   * The pattern (`STATE_MACHINE_ARN_PATTERN` of `@alma-webhooks/core`) that marks a setting holding a state
   * machine ARN: the function may start and describe executions of those state machines, and no others.
   */
  readonly stateMachineArnPattern: string;
  /** Plugin settings by environment variable name, e.g. `{ ALMA_POD_EXPORT_JOB_NAME: "…", PPOD_STATE_MACHINE_ARN: "arn:…" }`. */
  readonly settings?: Readonly<Record<string, string>>;
  /**
   * Forward routes (`ALMA_FORWARD_<ROUTE>_*`): the function may send to exactly their queues and put on
   * exactly their buses (KMS only for a key given), nothing else.
   */
  readonly forwardRoutes?: readonly ForwardRoute[];
  /** Sentry DSN (`SENTRY_DSN`); unset, nothing is sent to Sentry. */
  readonly sentryDsn?: string;
  /** Name of the webhook function; CloudFormation chooses one when unset. */
  readonly functionName?: string;
  /** Retention of both functions' log groups. Default: one month. */
  readonly logRetention?: logs.RetentionDays;
  /** `POWERTOOLS_METRICS_NAMESPACE` and the alarms' namespace. Default `AlmaWebhooks`. */
  readonly metricsNamespace?: string;
  /** `POWERTOOLS_SERVICE_NAME`, the metrics' `service` dimension. Default `alma-webhooks`. */
  readonly serviceName?: string;
  /** Where the alarms notify (alarm and back to OK). None by default. */
  readonly alarmTopic?: sns.ITopic;
  /**
   * The delivery ledger, a DynamoDB table (`ALMA_IDEMPOTENCY_TABLE`): a retry delivers only what is missing,
   * and `alma-webhook deliveries` lists what was delivered. Default on.
   */
  readonly ledger?: boolean;
  /**
   * A private S3 bucket for bodies too large for a target, sent by reference (`ALMA_LARGE_PAYLOAD_BUCKET`);
   * the function may only put objects in it. Default off.
   */
  readonly largePayloadBucket?: boolean;
  /**
   * The bucket that keeps the bytes of webhooks not delivered (`ALMA_UNDELIVERED_BUCKET`), readable and
   * writable by the function, for redelivery. Default on.
   */
  readonly undeliveredBucket?: boolean;
  /** Days the undelivered bucket keeps an object. Default 30. */
  readonly undeliveredRetentionDays?: number;
  /** Memory of the webhook function in MB. Default {@link WEBHOOK_MEMORY_MB}. */
  readonly memorySize?: number;
  /** How a new version takes the `live` alias's traffic (CodeDeploy). Default {@link DEFAULT_RELEASE}. */
  readonly release?: ReleaseName;
  /** Signature failures in one minute that roll a release back. Default 5. */
  readonly rollbackSignatureFailures?: number;
  /** The function's own optional limits (`ALMA_WEBHOOK_MAX_BODY_BYTES`, `ALMA_WEBHOOK_MAX_EVENT_AGE`), passed as set. */
  readonly functionLimits?: Readonly<Record<string, string>>;
  /**
   * What a stack deletion does to the ledger and the buckets. Default: `DESTROY` for the `dev` workspace, else
   * `RETAIN` (the ledger is the delivery history). CloudFormation deletes a bucket only when it is empty.
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The webhook and ping functions of alma-webhooks, the webhook's Function URL, role, log groups and alarms; its
 * delivery ledger and (when asked) large-payload bucket; a dashboard and saved Logs Insights queries.
 */
export class AlmaWebhooks extends Construct {
  readonly webhookFunction: lambda.Function;
  readonly pingFunction: lambda.Function;
  /** The Function URL, on the `live` alias (so a release reaches Alma's webhooks only as CodeDeploy shifts them). */
  readonly functionUrl: lambda.FunctionUrl;
  /** The `live` alias, the version each deployment publishes, and the CodeDeploy group that moves one to the other. */
  readonly release: WebhookRelease;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** The state machines the function may start, from the settings whose pattern is the state machine ARN pattern. */
  readonly stateMachineArns: readonly string[];
  readonly alarms: Readonly<Record<AlarmedMetric, cloudwatch.Alarm>>;
  /** The delivery ledger's table, unless `ledger: false`. */
  readonly ledgerTable?: dynamodb.Table;
  /** The large-payload bucket, with `largePayloadBucket: true`. */
  readonly largePayloads?: LargePayloadBucket;
  /** The bucket of webhooks not delivered, unless `undeliveredBucket: false`. */
  readonly undelivered?: UndeliveredBucket;
  /** `WebhooksNotDelivered` Sum ≥ 1 in 1 minute: notifies the alarm topic and rolls a release back. */
  readonly notDeliveredAlarm: cloudwatch.Alarm;
  readonly observability: WebhookObservability;

  constructor(scope: Construct, id: string, props: AlmaWebhooksProps) {
    super(scope, id);
    if (!WORKSPACE.test(props.workspace)) {
      throw new InfraConfigurationError(
        `workspace '${props.workspace}' is not a word of up to 32 letters, digits, '-' or '_'.`,
      );
    }
    const settings = checkSettings(props.plugins, props.settings ?? {}, props.stateMachineArnPattern);
    const routes = checkForwardRoutes(props.forwardRoutes ?? []);
    this.stateMachineArns = [...new Set([...settings.stateMachineArns, ...routes.stateMachineArns])];
    const namespace = props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE;
    const service = props.serviceName ?? DEFAULT_SERVICE_NAME;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.logGroup = new logs.LogGroup(this, "WebhookLogs", { retention });
    this.role = new iam.Role(this, "WebhookRole", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `alma-webhooks ${props.workspace}: write its logs, start and describe its pipelines, forward to its routes`,
    });
    allowLogging(this.role, this.logGroup);
    if (this.stateMachineArns.length > 0) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: "StartPipelines",
          actions: ["states:StartExecution", "states:DescribeStateMachine"],
          resources: [...this.stateMachineArns],
        }),
      );
      // A duplicate delivery reads back the execution it already started (ExecutionAlreadyExists).
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: "DescribePipelineExecutions",
          actions: ["states:DescribeExecution"],
          resources: this.stateMachineArns.map((arn) => executionArnsOf(Stack.of(this), arn)),
        }),
      );
      for (const arn of this.stateMachineArns) {
        acknowledge(
          this.role,
          `AwsSolutions-IAM5[Resource::${executionArnsOf(Stack.of(this), arn)}]`,
          REASONS.executions,
        );
      }
    }
    allowForwarding(this.role, routes);
    const secrets = [
      props.challengeSecret,
      ...(props.previousChallengeSecret ? [props.previousChallengeSecret] : []),
    ];
    allowReadingSecrets(this.role, secrets);
    const removalPolicy =
      props.removalPolicy ?? (props.workspace === "dev" ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN);
    if (props.ledger ?? true) {
      this.ledgerTable = new DeliveryLedger(this, "DeliveryLedger", { role: this.role, removalPolicy }).table;
    }
    if (props.largePayloadBucket) {
      this.largePayloads = new LargePayloadBucket(this, "LargePayloads", { role: this.role, removalPolicy });
      // AwsSolutions-S1 needs no acknowledgement: the access-log bucket is another bucket's log destination.
      const { bucket } = this.largePayloads;
      const bucketId = Stack.of(this).getLogicalId(bucket.node.defaultChild as CfnElement);
      acknowledge(this.role, `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`, REASONS.largePayloadKeys);
    }
    if (props.undeliveredBucket ?? true) {
      this.undelivered = new UndeliveredBucket(this, "Undelivered", {
        role: this.role,
        removalPolicy,
        ...(props.undeliveredRetentionDays === undefined
          ? {}
          : { retentionDays: props.undeliveredRetentionDays }),
      });
      const bucketId = Stack.of(this).getLogicalId(this.undelivered.bucket.node.defaultChild as CfnElement);
      acknowledge(this.role, `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`, REASONS.undeliveredKeys);
    }
    const memorySize = props.memorySize ?? WEBHOOK_MEMORY_MB;
    if (!(Number.isInteger(memorySize) && memorySize >= 128 && memorySize <= 10240)) {
      throw new InfraConfigurationError(
        `memorySize must be a whole number of MB from 128 to 10240, not ${memorySize}.`,
      );
    }
    const limits = props.functionLimits ?? {};
    for (const name of Object.keys(limits)) {
      if (!FUNCTION_LIMIT_NAMES.includes(name)) {
        throw new InfraConfigurationError(
          `functionLimits: ${name} is not one of ${FUNCTION_LIMIT_NAMES.join(", ")}.`,
        );
      }
    }
    const reserved = props.reservedConcurrency ?? DEFAULT_RESERVED_CONCURRENCY;
    if (reserved !== "none" && !(Number.isInteger(reserved) && reserved >= 1)) {
      throw new InfraConfigurationError(
        `reservedConcurrency must be a whole number of at least 1, or "none", not ${String(reserved)}.`,
      );
    }
    this.webhookFunction = new lambda.Function(this, "Webhook", {
      description: `Alma webhooks (${props.workspace}): verifies Alma's calls and starts the matching pipelines`,
      ...(props.functionName ? { functionName: props.functionName } : {}),
      code: props.code,
      handler: "webhook.handler",
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize,
      timeout: WEBHOOK_TIMEOUT,
      role: this.role,
      logGroup: this.logGroup,
      ...(reserved === "none" ? {} : { reservedConcurrentExecutions: reserved }),
      environment: {
        WORKSPACE: props.workspace,
        // Where the secret is, not what it is: the function reads it at cold start (GetSecretValue).
        ALMA_CHALLENGE_SECRET_ARN: props.challengeSecret.secretArn,
        ...(props.previousChallengeSecret
          ? { ALMA_PREVIOUS_CHALLENGE_SECRETS_ARN: props.previousChallengeSecret.secretArn }
          : {}),
        ...(props.challengeSecretJsonField
          ? { ALMA_CHALLENGE_SECRET_JSON_FIELD: props.challengeSecretJsonField }
          : {}),
        ...(props.sentryDsn ? { SENTRY_DSN: props.sentryDsn } : {}),
        POWERTOOLS_SERVICE_NAME: service,
        POWERTOOLS_METRICS_NAMESPACE: namespace,
        ...(this.ledgerTable ? { ALMA_IDEMPOTENCY_TABLE: this.ledgerTable.tableName } : {}),
        ...(this.largePayloads ? { ALMA_LARGE_PAYLOAD_BUCKET: this.largePayloads.bucket.bucketName } : {}),
        ...(this.undelivered ? { ALMA_UNDELIVERED_BUCKET: this.undelivered.bucket.bucketName } : {}),
        ...limits,
        ...settings.environment,
        ...routes.environment,
      },
    });
    acknowledgeFunction(this.webhookFunction, this.role, this.logGroup);

    const pingLogs = new logs.LogGroup(this, "PingLogs", { retention });
    const pingRole = new iam.Role(this, "PingRole", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `alma-webhooks ${props.workspace} ping: write its logs`,
    });
    allowLogging(pingRole, pingLogs);
    this.pingFunction = new lambda.Function(this, "Ping", {
      description: `Alma webhooks (${props.workspace}): answers pong, to check a deployment is alive`,
      code: props.code,
      handler: "ping.handler",
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 128,
      timeout: Duration.seconds(3),
      role: pingRole,
      logGroup: pingLogs,
    });

    acknowledgeFunction(this.pingFunction, pingRole, pingLogs);

    const alarms = {} as Record<AlarmedMetric, cloudwatch.Alarm>;
    for (const [metricName, meaning] of Object.entries(ALARMED_METRICS) as [AlarmedMetric, string][]) {
      const alarm = new cloudwatch.Metric({
        namespace,
        metricName,
        dimensionsMap: { service },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(5),
        // No unit: an alarm with one sees only data points of that unit, and a unit is not part of the contract
        // that makes a failure a failure.
      }).createAlarm(this, `${metricName}Alarm`, {
        alarmDescription: `alma-webhooks ${props.workspace}: ${meaning}`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No request, no data point: that is not a failure.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      if (props.alarmTopic) {
        alarm.addAlarmAction(new cloudwatchActions.SnsAction(props.alarmTopic));
        alarm.addOkAction(new cloudwatchActions.SnsAction(props.alarmTopic));
      }
      alarms[metricName] = alarm;
    }
    this.alarms = alarms;
    this.notDeliveredAlarm = new cloudwatch.Metric({
      namespace,
      metricName: NOT_DELIVERED_METRIC,
      dimensionsMap: { service },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(1),
    }).createAlarm(this, "WebhooksNotDeliveredAlarm", {
      alarmDescription: `alma-webhooks ${props.workspace}: a webhook was not delivered (its bytes are kept for redelivery when the bucket is on); the dashboard shows why, by reason.`,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) {
      this.notDeliveredAlarm.addAlarmAction(new cloudwatchActions.SnsAction(props.alarmTopic));
      this.notDeliveredAlarm.addOkAction(new cloudwatchActions.SnsAction(props.alarmTopic));
    }
    this.release = new WebhookRelease(this, "Release", {
      webhookFunction: this.webhookFunction,
      release: props.release ?? DEFAULT_RELEASE,
      workspace: props.workspace,
      namespace,
      service,
      notDeliveredAlarm: this.notDeliveredAlarm,
      ...(props.rollbackSignatureFailures === undefined
        ? {}
        : { rollbackSignatureFailures: props.rollbackSignatureFailures }),
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
    });
    // Alma cannot sign AWS (SigV4) requests, so the URL is public: every POST is authenticated by its
    // X-Exl-Signature HMAC, checked by the function before it does anything else. It is the live alias's
    // URL: a new version answers Alma only as CodeDeploy shifts the alias to it.
    this.functionUrl = this.release.alias.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    this.observability = new WebhookObservability(this, "Observability", {
      webhookFunction: this.webhookFunction,
      logGroup: this.logGroup,
      namespace,
      service,
      name: Stack.of(this).stackName,
    });

    new CfnOutput(this, "WebhookUrl", {
      value: this.functionUrl.url,
      description: "The URL to configure in Alma's webhook integration profile",
    });
    new CfnOutput(this, "WebhookFunctionName", { value: this.webhookFunction.functionName });
    new CfnOutput(this, "WebhookAlias", {
      value: `${this.webhookFunction.functionName}:${this.release.alias.aliasName}`,
      description: "What `alma-webhook redeliver --function` takes: the function's live alias",
    });
    new CfnOutput(this, "PingFunctionName", { value: this.pingFunction.functionName });
    if (this.ledgerTable) {
      new CfnOutput(this, "DeliveryLedgerTableName", {
        value: this.ledgerTable.tableName,
        description: "ALMA_IDEMPOTENCY_TABLE for `alma-webhook deliveries`",
      });
    }
    if (this.largePayloads) {
      new CfnOutput(this, "LargePayloadBucketName", { value: this.largePayloads.bucket.bucketName });
    }
    if (this.undelivered) {
      new CfnOutput(this, "UndeliveredBucketName", {
        value: this.undelivered.bucket.bucketName,
        description: "ALMA_UNDELIVERED_BUCKET: the kept bytes of webhooks not delivered",
      });
    }
  }
}

/**
 * `secretsmanager:GetSecretValue` on the webhook secrets and nothing else (no DescribeSecret, no `*`): a
 * secret imported by name is known by a partial ARN, so its policy ARN ends in `-??????`, the six characters
 * Secrets Manager appends. A secret encrypted with a customer-managed key gets `kms:Decrypt` on that key only.
 */
function allowReadingSecrets(role: iam.Role, secrets: readonly secretsmanager.ISecret[]): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: "ReadWebhookSecret",
      actions: ["secretsmanager:GetSecretValue"],
      resources: secrets.map((secret) => secret.secretFullArn ?? `${secret.secretArn}-??????`),
    }),
  );
  const keys = secrets.flatMap((secret) => (secret.encryptionKey ? [secret.encryptionKey.keyArn] : []));
  if (keys.length > 0) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: "DecryptWebhookSecret", actions: ["kms:Decrypt"], resources: keys }),
    );
  }
}

/**
 * The cdk-nag findings (AwsSolutions and Serverless packs, `make test-infra`) this construct does not fix,
 * each acknowledged at the resource with the reason a reviewer needs. Every other finding is fixed.
 */
export const REASONS = {
  logStreams:
    "Lambda names its log streams at run time; the grant is CreateLogStream/PutLogEvents on this function's own log group only.",
  executions:
    "Execution names come from each webhook at run time; DescribeExecution is on the executions of the configured state machines only (a redelivery reads back the execution it started).",
  runtime:
    "nodejs22.x is the runtime the bundle is built and tested for (make test-node22); it moves to a newer one together with those checks.",
  deadLetterQueue:
    "Invoked synchronously only (Function URL, or by hand for ping): a dead-letter queue receives failed asynchronous invocations, of which there are none; Alma retries a webhook answered 5xx.",
  largePayloadKeys:
    "Object keys are chosen per webhook at run time; the grant is s3:PutObject only, on the objects of the large-payload bucket only.",
  undeliveredKeys:
    "Object keys are chosen per webhook at run time (under undelivered/); the grant is s3:GetObject and s3:PutObject only, on the objects of the undelivered bucket only.",
  tracing:
    "Every request writes one structured decision line with its request id, and failures are metrics with alarms; X-Ray would add per-request cost and an xray:PutTraceSegments grant on '*'.",
} as const;

function acknowledge(scope: Construct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

function acknowledgeFunction(fn: lambda.Function, role: iam.Role, logGroup: logs.LogGroup): void {
  const logs = Stack.of(fn).getLogicalId(logGroup.node.defaultChild as CfnElement);
  acknowledge(role, `AwsSolutions-IAM5[Resource::<${logs}.Arn>:log-stream:*]`, REASONS.logStreams);
  acknowledge(fn, "AwsSolutions-L1", REASONS.runtime);
  acknowledge(fn, "Serverless-LambdaLatestVersion", REASONS.runtime);
  acknowledge(fn, "Serverless-LambdaDLQ", REASONS.deadLetterQueue);
  acknowledge(fn, "Serverless-LambdaTracing", REASONS.tracing);
}

/** Lambda's own logging, into its log group only: the role needs no logs:CreateLogGroup, nor any `*`. */
function allowLogging(role: iam.Role, logGroup: logs.LogGroup): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: "WriteLogs",
      actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
      resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:log-stream:*`],
    }),
  );
}

/** `arn:…:states:…:stateMachine:NAME` → `arn:…:states:…:execution:NAME:*`. */
function executionArnsOf(stack: Stack, stateMachineArn: string): string {
  const parts = Arn.split(stateMachineArn, ArnFormat.COLON_RESOURCE_NAME);
  return Arn.format(
    {
      partition: parts.partition,
      service: "states",
      region: parts.region,
      account: parts.account,
      resource: "execution",
      resourceName: `${parts.resourceName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    },
    stack,
  );
}

interface CheckedSettings {
  readonly environment: Record<string, string>;
  readonly stateMachineArns: string[];
}

/**
 * Checks the settings as the function will at cold start, but at synth time: every name must be a setting of
 * a plugin; a plugin whose activating variable is set needs all its settings; a value must match its
 * setting's pattern. Throws one error that lists every problem.
 */
export function checkSettings(
  plugins: readonly PluginDescription[],
  settings: Readonly<Record<string, string>>,
  stateMachineArnPattern: string,
): CheckedSettings {
  const problems: string[] = [];
  const known = new Map<string, { plugin: PluginDescription; spec: PluginSettingDescription }>();
  for (const plugin of plugins) {
    for (const spec of Object.values(plugin.settings)) known.set(spec.env, { plugin, spec });
  }
  const given = Object.fromEntries(Object.entries(settings).filter(([, value]) => value.trim() !== ""));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) {
      problems.push(
        `${name} is not a setting of any job plugin (${plugins.map((plugin) => plugin.name).join(", ") || "none"}); known: ${[...known.keys()].join(", ") || "none"}.`,
      );
    }
  }
  const stateMachineArns: string[] = [];
  for (const plugin of plugins) {
    const activating = plugin.activatedBy ? plugin.settings[plugin.activatedBy]?.env : undefined;
    const active = activating === undefined || given[activating] !== undefined;
    for (const spec of Object.values(plugin.settings)) {
      const value = given[spec.env];
      if (value === undefined) {
        if (activating !== undefined && active && !spec.optional) {
          problems.push(
            `${spec.env} is not set, but the ${plugin.name} plugin needs it because ${activating} is set.`,
          );
        }
        continue;
      }
      if (spec.pattern && !Token.isUnresolved(value) && !new RegExp(spec.pattern).test(value)) {
        problems.push(`${spec.env} is not ${spec.patternHint ?? `in the form ${spec.pattern}`}: '${value}'.`);
      }
      // Only an active plugin starts executions: an inactive one's state machine gets no permission.
      if (spec.pattern === stateMachineArnPattern && active && !stateMachineArns.includes(value)) {
        stateMachineArns.push(value);
      }
    }
  }
  if (problems.length > 0) {
    throw new InfraConfigurationError(`Invalid alma-webhooks settings:\n- ${problems.join("\n- ")}`);
  }
  return { environment: given, stateMachineArns };
}
