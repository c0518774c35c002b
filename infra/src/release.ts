import {
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cloudwatchActions,
  aws_codedeploy as codedeploy,
  Duration,
  aws_lambda as lambda,
  type aws_sns as sns,
  Validations,
} from "aws-cdk-lib";
import { Construct } from "constructs";

/**
 * The release strategies a stage may name in `ALMA_RELEASE`: how CodeDeploy moves the `live` alias (and so
 * the Function URL) from the previous version to the new one. Each is one of CodeDeploy's predefined Lambda
 * configurations, so no configuration resource is created.
 *
 * @example
 * ```ts
 * RELEASES["canary-10-5"].config(); // LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES
 * ```
 */
export const RELEASES = {
  "all-at-once": {
    config: () => codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
    description: "every request goes to the new version at once (dev)",
  },
  "canary-10-5": {
    config: () => codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
    description: "10 % of requests for 5 minutes, then all",
  },
  "canary-10-10": {
    config: () => codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_10MINUTES,
    description: "10 % of requests for 10 minutes, then all",
  },
  "canary-10-15": {
    config: () => codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_15MINUTES,
    description: "10 % of requests for 15 minutes, then all",
  },
  "canary-10-30": {
    config: () => codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_30MINUTES,
    description: "10 % of requests for 30 minutes, then all",
  },
  "linear-10-1": {
    config: () => codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE,
    description: "10 % more every minute (10 minutes)",
  },
  "linear-10-2": {
    config: () => codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_2MINUTES,
    description: "10 % more every 2 minutes (20 minutes)",
  },
  "linear-10-3": {
    config: () => codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES,
    description: "10 % more every 3 minutes (30 minutes)",
  },
  "linear-10-10": {
    config: () => codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_10MINUTES,
    description: "10 % more every 10 minutes (100 minutes)",
  },
} as const;

/** A release strategy's name, as a stage file writes it. */
export type ReleaseName = keyof typeof RELEASES;

/** What a stage gets when it names none: a canary, so that a bad release meets a few webhooks, not all. */
export const DEFAULT_RELEASE: ReleaseName = "canary-10-5";

/** The alias the Function URL points at: CodeDeploy moves it from version to version. */
export const LIVE_ALIAS = "live";

/** Signature failures in one minute that roll a release back, by default: more than a stray scanner sends. */
export const DEFAULT_ROLLBACK_SIGNATURE_FAILURES = 5;

/** Why the deployment group's service role keeps AWS's managed policy (cdk-nag AwsSolutions-IAM4). */
export const CODEDEPLOY_ROLE_REASON =
  "CodeDeploy's own service role for Lambda: AWS's managed AWSCodeDeployRoleForLambdaLimited allows moving this account's aliases and reading its alarms only, and follows CodeDeploy's needs as they change.";

export interface WebhookReleaseProps {
  readonly webhookFunction: lambda.Function;
  readonly release: ReleaseName;
  readonly workspace: string;
  /** `POWERTOOLS_METRICS_NAMESPACE` and `POWERTOOLS_SERVICE_NAME` of the function. */
  readonly namespace: string;
  readonly service: string;
  /** The alarm on `WebhooksNotDelivered`: a release in which webhooks go undelivered is rolled back. */
  readonly notDeliveredAlarm: cloudwatch.IAlarm;
  /** Signature failures in one minute that roll a release back. Default {@link DEFAULT_ROLLBACK_SIGNATURE_FAILURES}. */
  readonly rollbackSignatureFailures?: number;
  readonly alarmTopic?: sns.ITopic;
}

/**
 * Safe releases of the webhook function: every deployment publishes a version (`currentVersion`), and a
 * CodeDeploy deployment group moves the `live` alias to it by the stage's strategy, rolling back on its own
 * when the deployment fails or any of {@link WebhookRelease.rollbackAlarms} goes off during the shift.
 *
 * @example
 * ```ts
 * const release = new WebhookRelease(this, "Release", { webhookFunction, release: "canary-10-5", workspace: "prod",
 *   namespace: "AlmaWebhooks", service: "alma-webhooks", notDeliveredAlarm });
 * release.alias.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
 * ```
 */
export class WebhookRelease extends Construct {
  readonly version: lambda.Version;
  readonly alias: lambda.Alias;
  readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;
  /** The alarms that stop and roll back a release: 5xx answers, function errors, not delivered, signature failures. */
  readonly rollbackAlarms: Readonly<Record<string, cloudwatch.IAlarm>>;

  constructor(scope: Construct, id: string, props: WebhookReleaseProps) {
    super(scope, id);
    this.version = props.webhookFunction.currentVersion;
    this.alias = new lambda.Alias(this, "Live", { aliasName: LIVE_ALIAS, version: this.version });
    const minute = Duration.minutes(1);
    // On the alias: what answered Alma through the URL, the new version's share and the old one's.
    const atLeastOnce = (
      alarmId: string,
      metric: cloudwatch.IMetric,
      meaning: string,
      threshold = 1,
    ): cloudwatch.Alarm => {
      return new cloudwatch.Alarm(this, alarmId, {
        metric,
        alarmDescription: `alma-webhooks ${props.workspace} release: ${meaning}`,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    };
    const serverErrors = atLeastOnce(
      "ServerErrorsAlarm",
      this.alias.metric("Url5xxCount", { statistic: cloudwatch.Stats.SUM, period: minute }),
      "the live alias's Function URL answered 5xx (Alma retries it, but a release that does so is rolled back).",
    );
    const functionErrors = atLeastOnce(
      "FunctionErrorsAlarm",
      this.alias.metricErrors({ statistic: cloudwatch.Stats.SUM, period: minute }),
      "the live alias's function failed (an exception or a timeout).",
    );
    const signatureJump = atLeastOnce(
      "SignatureFailureJumpAlarm",
      new cloudwatch.Metric({
        namespace: props.namespace,
        metricName: "SignatureFailures",
        dimensionsMap: { service: props.service },
        statistic: cloudwatch.Stats.SUM,
        period: minute,
      }),
      "a jump in signature failures (401): a release that refuses Alma's signature loses every webhook, which Alma never retries.",
      props.rollbackSignatureFailures ?? DEFAULT_ROLLBACK_SIGNATURE_FAILURES,
    );
    if (props.alarmTopic) {
      for (const alarm of [serverErrors, functionErrors, signatureJump]) {
        alarm.addAlarmAction(new cloudwatchActions.SnsAction(props.alarmTopic));
        alarm.addOkAction(new cloudwatchActions.SnsAction(props.alarmTopic));
      }
    }
    this.rollbackAlarms = {
      ServerErrors: serverErrors,
      FunctionErrors: functionErrors,
      WebhooksNotDelivered: props.notDeliveredAlarm,
      SignatureFailureJump: signatureJump,
    };
    this.deploymentGroup = new codedeploy.LambdaDeploymentGroup(this, "DeploymentGroup", {
      alias: this.alias,
      deploymentConfig: RELEASES[props.release].config(),
      alarms: Object.values(this.rollbackAlarms),
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    Validations.of(this.deploymentGroup.role).acknowledge({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]`,
      reason: CODEDEPLOY_ROLE_REASON,
    });
  }
}
