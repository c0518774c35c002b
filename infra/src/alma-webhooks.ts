import {
  Arn,
  ArnFormat,
  CfnOutput,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cloudwatchActions,
  Duration,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
  SecretValue,
  Stack,
  type aws_secretsmanager as secretsmanager,
  type aws_sns as sns,
  Token,
} from "aws-cdk-lib";
import { Construct } from "constructs";
import { allowForwarding, checkForwardRoutes, type ForwardRoute } from "./forward-routes.js";

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
 * so the app passes the lambda package's `jobPlugins` list and tests pass small fakes.
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

export const DEFAULT_METRICS_NAMESPACE = "AlmaWebhooks";
export const DEFAULT_SERVICE_NAME = "alma-webhooks";

/**
 * Memory of the webhook function. A cold start peaks at about 60 MiB of RSS (`make bench`,
 * docs/performance.md); 256 MB leaves room for a 5 MiB body held several times over while it is decoded and
 * verified, and buys more CPU than 128 MB (Lambda's CPU share grows with memory), which shortens cold starts.
 */
export const WEBHOOK_MEMORY_MB = 256;

/**
 * The webhook function's timeout. The Step Functions dispatcher gives up after 3 s (`DISPATCH_BUDGET.totalMs`
 * in the lambda package) and Alma after 5 s: 4 s lets the function answer a 5xx itself when a dispatch runs
 * out of budget, and still stops it before Alma has given up on the request.
 */
export const WEBHOOK_TIMEOUT = Duration.seconds(4);

const WORKSPACE = /^[A-Za-z0-9_-]{1,32}$/;

export interface AlmaWebhooksProps {
  /** The runtime environment (`WORKSPACE`): `dev`, `stage` or `prod`. Only jobs whose name contains it are acted on. */
  readonly workspace: string;
  /** The bundle: `lambda.Code.fromAsset("packages/lambda/dist/lambda.zip")` (entry points `webhook.mjs`, `ping.mjs`). */
  readonly code: lambda.Code;
  /**
   * The Secrets Manager secret that holds the webhook secret configured in Alma. The function receives it as
   * `ALMA_CHALLENGE_SECRET` through a CloudFormation dynamic reference: the template holds the reference only,
   * and CloudFormation resolves it when it deploys (the value is then in the function's configuration).
   */
  readonly challengeSecret: secretsmanager.ISecret;
  /** A key of the secret's JSON to read instead of the whole secret string. */
  readonly challengeSecretJsonField?: string;
  /**
   * During a rotation, the secret that held the previous webhook secret: still accepted
   * (`ALMA_PREVIOUS_CHALLENGE_SECRETS`) until Alma has the new one. Referenced like `challengeSecret`.
   */
  readonly previousChallengeSecret?: secretsmanager.ISecret;
  /** The job plugins of the bundle (the lambda package's `jobPlugins`): the settings below are checked against them. */
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
}

/** The webhook and ping functions of alma-webhooks, the webhook's Function URL, role, log groups and alarms. */
export class AlmaWebhooks extends Construct {
  readonly webhookFunction: lambda.Function;
  readonly pingFunction: lambda.Function;
  readonly functionUrl: lambda.FunctionUrl;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** The state machines the function may start, from the settings whose pattern is the state machine ARN pattern. */
  readonly stateMachineArns: readonly string[];
  readonly alarms: Readonly<Record<AlarmedMetric, cloudwatch.Alarm>>;

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
    }
    allowForwarding(this.role, routes);

    const secret = challengeSecretReference(props.challengeSecret, props.challengeSecretJsonField);
    this.webhookFunction = new lambda.Function(this, "Webhook", {
      description: `Alma webhooks (${props.workspace}): verifies Alma's calls and starts the matching pipelines`,
      ...(props.functionName ? { functionName: props.functionName } : {}),
      code: props.code,
      handler: "webhook.handler",
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: WEBHOOK_MEMORY_MB,
      timeout: WEBHOOK_TIMEOUT,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        WORKSPACE: props.workspace,
        // A dynamic reference ({{resolve:secretsmanager:…}}): the template never holds the secret itself.
        ALMA_CHALLENGE_SECRET: secret.unsafeUnwrap(),
        ...(props.previousChallengeSecret
          ? {
              ALMA_PREVIOUS_CHALLENGE_SECRETS: challengeSecretReference(
                props.previousChallengeSecret,
                props.challengeSecretJsonField,
              ).unsafeUnwrap(),
            }
          : {}),
        ...(props.sentryDsn ? { SENTRY_DSN: props.sentryDsn } : {}),
        POWERTOOLS_SERVICE_NAME: service,
        POWERTOOLS_METRICS_NAMESPACE: namespace,
        ...settings.environment,
        ...routes.environment,
      },
    });
    // Alma cannot sign AWS (SigV4) requests, so the URL is public: every POST is authenticated by its
    // X-Exl-Signature HMAC, checked by the function before it does anything else.
    this.functionUrl = this.webhookFunction.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });

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

    new CfnOutput(this, "WebhookUrl", {
      value: this.functionUrl.url,
      description: "The URL to configure in Alma's webhook integration profile",
    });
    new CfnOutput(this, "WebhookFunctionName", { value: this.webhookFunction.functionName });
    new CfnOutput(this, "PingFunctionName", { value: this.pingFunction.functionName });
  }
}

/**
 * The dynamic reference to the webhook secret. A secret imported by name (`Secret.fromSecretNameV2`) is
 * referenced by that name, `{{resolve:secretsmanager:NAME:SecretString:…}}`, rather than by the partial ARN
 * CDK knows it by; any other secret by its ARN.
 */
function challengeSecretReference(secret: secretsmanager.ISecret, jsonField?: string): SecretValue {
  const options = jsonField ? { jsonField } : {};
  return secret.secretFullArn === undefined && !Token.isUnresolved(secret.secretName)
    ? SecretValue.secretsManager(secret.secretName, options)
    : SecretValue.secretsManager(secret.secretFullArn ?? secret.secretArn, options);
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
