import {
  type aws_lambda as lambda,
  Stack,
  type StackProps,
  aws_secretsmanager as secretsmanager,
  aws_sns as sns,
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
      ...(configuration.alarmTopicArn
        ? { alarmTopic: sns.Topic.fromTopicArn(this, "AlarmTopic", configuration.alarmTopicArn) }
        : {}),
    });
  }
}
