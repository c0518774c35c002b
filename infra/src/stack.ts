import {
  type aws_lambda as lambda,
  Stack,
  type StackProps,
  aws_secretsmanager as secretsmanager,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
  Validations,
} from "aws-cdk-lib";
import type { Construct } from "constructs";
import { AlmaWebhooks, type PluginDescription } from "./alma-webhooks.js";
import type { InfraConfiguration } from "./configuration.js";

export interface AlmaWebhooksStackProps extends StackProps {
  readonly configuration: InfraConfiguration;
  /** The built bundle: `packages/lambda/dist/lambda.zip`. */
  readonly code: lambda.Code;
  readonly plugins: readonly PluginDescription[];
  readonly stateMachineArnPattern: string;
}

/** One deployment (one workspace) of alma-webhooks. */
export class AlmaWebhooksStack extends Stack {
  readonly webhooks: AlmaWebhooks;

  constructor(scope: Construct, id: string, props: AlmaWebhooksStackProps) {
    super(scope, id, props);
    const { configuration } = props;
    const alarmTopic = alarmTopicOf(this, configuration);
    this.webhooks = new AlmaWebhooks(this, "AlmaWebhooks", {
      workspace: configuration.workspace,
      code: props.code,
      challengeSecret: secretsmanager.Secret.fromSecretNameV2(
        this,
        "ChallengeSecret",
        configuration.challengeSecretName,
      ),
      ...(configuration.previousChallengeSecretName
        ? {
            previousChallengeSecret: secretsmanager.Secret.fromSecretNameV2(
              this,
              "PreviousChallengeSecret",
              configuration.previousChallengeSecretName,
            ),
          }
        : {}),
      ...(configuration.challengeSecretJsonField
        ? { challengeSecretJsonField: configuration.challengeSecretJsonField }
        : {}),
      plugins: props.plugins,
      stateMachineArnPattern: props.stateMachineArnPattern,
      settings: configuration.settings,
      forwardRoutes: configuration.forwardRoutes,
      ...(configuration.sentryDsn ? { sentryDsn: configuration.sentryDsn } : {}),
      ...(configuration.functionName ? { functionName: configuration.functionName } : {}),
      ...(configuration.metricsNamespace ? { metricsNamespace: configuration.metricsNamespace } : {}),
      ...(configuration.serviceName ? { serviceName: configuration.serviceName } : {}),
      ...(configuration.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrency: configuration.reservedConcurrency }),
      ledger: configuration.ledger,
      largePayloadBucket: configuration.largePayloadBucket,
      undeliveredBucket: configuration.undeliveredBucket,
      ...(configuration.undeliveredRetentionDays === undefined
        ? {}
        : { undeliveredRetentionDays: configuration.undeliveredRetentionDays }),
      ...(configuration.memoryMb === undefined ? {} : { memorySize: configuration.memoryMb }),
      release: configuration.release,
      ...(configuration.rollbackSignatureFailures === undefined
        ? {}
        : { rollbackSignatureFailures: configuration.rollbackSignatureFailures }),
      functionLimits: configuration.functionLimits,
      ...(alarmTopic ? { alarmTopic } : {}),
    });
  }
}

/** Why the e-mail alarm topic is encrypted by SNS's default, not a KMS key (cdk-nag AwsSolutions-SNS2). */
export const ALARM_TOPIC_KEY_REASON =
  "CloudWatch alarms publish to this topic: with the aws/sns managed key they cannot (its key policy does not let CloudWatch use it), and a customer key would cost more than the alarm texts it protects, which hold no webhook data.";

/** Why the alarm e-mail subscription has no dead-letter queue (cdk-nag Serverless-SNSRedrivePolicy). */
export const ALARM_EMAIL_REDRIVE_REASON =
  "An alarm e-mail that cannot be delivered needs no queue to be retried from: the alarm stays in ALARM on the dashboard and in the console, and the next change of state sends again.";

/**
 * The topic the alarms notify: the one `ALARM_TOPIC_ARN` names, or, with `ALARM_EMAIL` alone, a topic of the
 * stack's own with that address subscribed (AWS e-mails it a confirmation link first).
 */
function alarmTopicOf(stack: Stack, configuration: InfraConfiguration): sns.ITopic | undefined {
  if (configuration.alarmTopicArn) {
    const topic = sns.Topic.fromTopicArn(stack, "AlarmTopic", configuration.alarmTopicArn);
    if (configuration.alarmEmail) {
      const subscription = topic.addSubscription(
        new subscriptions.EmailSubscription(configuration.alarmEmail),
      );
      Validations.of(subscription).acknowledge({
        id: "Serverless-SNSRedrivePolicy",
        reason: ALARM_EMAIL_REDRIVE_REASON,
      });
    }
    return topic;
  }
  if (!configuration.alarmEmail) return undefined;
  const topic = new sns.Topic(stack, "Alarms", {
    displayName: `alma-webhooks ${configuration.workspace} alarms`,
    enforceSSL: true,
  });
  const subscription = topic.addSubscription(new subscriptions.EmailSubscription(configuration.alarmEmail));
  Validations.of(topic).acknowledge({ id: "AwsSolutions-SNS2", reason: ALARM_TOPIC_KEY_REASON });
  Validations.of(subscription).acknowledge({
    id: "Serverless-SNSRedrivePolicy",
    reason: ALARM_EMAIL_REDRIVE_REASON,
  });
  return topic;
}
