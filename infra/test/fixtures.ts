import { App, aws_lambda as lambda, Stack, aws_secretsmanager as secretsmanager } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AlmaWebhooks, type AlmaWebhooksProps, type PluginDescription } from "../src/alma-webhooks.js";

/** The same source text as core's STATE_MACHINE_ARN_PATTERN (the app reads the real one from the build). */
export const ARN_PATTERN = "^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]{1,80}$";

/** What a test passes as the webhook secret's name; no test ever knows the secret itself. */
export const SECRET_NAME = "alma-webhooks/test/challenge-secret";

export const ALPHA_ARN = "arn:aws:states:eu-west-1:111122223333:stateMachine:alpha-pipeline";
export const BETA_ARN = "arn:aws:states:eu-west-1:111122223333:stateMachine:beta-pipeline";

/** Two small plugins shaped like the real ones: a job name that activates, and a state machine ARN. */
export const fakePlugins: PluginDescription[] = [
  {
    name: "ALPHA",
    activatedBy: "jobName",
    settings: {
      jobName: { env: "ALPHA_JOB_NAME", description: "Alpha job name", example: "Alpha export to Dev" },
      stateMachineArn: {
        env: "ALPHA_STATE_MACHINE_ARN",
        description: "Alpha state machine",
        pattern: ARN_PATTERN,
        example: "arn:aws:states:us-east-1:123456789012:stateMachine:example",
      },
    },
  },
  {
    name: "BETA",
    activatedBy: "jobName",
    settings: {
      jobName: { env: "BETA_JOB_NAME", description: "Beta job name" },
      runTypes: { env: "BETA_RUN_TYPES", description: "Run types accepted", optional: true },
      stateMachineArn: {
        env: "BETA_STATE_MACHINE_ARN",
        description: "Beta state machine",
        pattern: ARN_PATTERN,
      },
    },
  },
];

export const bothPluginsOn = {
  ALPHA_JOB_NAME: "Alpha export to Dev",
  ALPHA_STATE_MACHINE_ARN: ALPHA_ARN,
  BETA_JOB_NAME: "Beta export to Dev",
  BETA_STATE_MACHINE_ARN: BETA_ARN,
};

/** Builds the construct in a stack of its own with the given props over sensible test defaults. */
export function synth(
  overrides: Partial<AlmaWebhooksProps> | ((stack: Stack) => Partial<AlmaWebhooksProps>) = {},
): {
  stack: Stack;
  construct: AlmaWebhooks;
  template: Template;
} {
  const app = new App();
  const stack = new Stack(app, "Test", { env: { account: "111122223333", region: "eu-west-1" } });
  const construct = new AlmaWebhooks(stack, "AlmaWebhooks", {
    workspace: "dev",
    code: lambda.Code.fromInline("export const handler = async () => 'test';"),
    challengeSecret: secretsmanager.Secret.fromSecretNameV2(stack, "Secret", SECRET_NAME),
    plugins: fakePlugins,
    stateMachineArnPattern: ARN_PATTERN,
    settings: bothPluginsOn,
    ...(typeof overrides === "function" ? overrides(stack) : overrides),
  });
  return { stack, construct, template: Template.fromStack(stack) };
}

/** Every IAM policy statement of the template, with Action and Resource as arrays. */
export function policyStatements(template: Template): { Action: string[]; Resource: unknown[] }[] {
  return Object.values(template.findResources("AWS::IAM::Policy")).flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]).map(
      (statement) => ({
        Action: ([] as string[]).concat(statement.Action),
        Resource: ([] as unknown[]).concat(statement.Resource),
      }),
    ),
  );
}

/** The webhook function's environment variables. */
export function webhookEnvironment(template: Template): Record<string, unknown> {
  const [webhook] = Object.values(
    template.findResources("AWS::Lambda::Function", { Properties: { Handler: "webhook.handler" } }),
  );
  return webhook?.Properties.Environment.Variables;
}
