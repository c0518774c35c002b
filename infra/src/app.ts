// The CDK app: one stack per workspace. `node dist/src/app.js` synthesises into cdk.out with no AWS account;
// `cdk deploy --app "node dist/src/app.js"` deploys it (make deploy-dev / deploy-stage).
import { App, aws_lambda as lambda } from "aws-cdk-lib";
import { readConfiguration } from "./configuration.js";
import { loadLambdaBundle } from "./lambda-bundle.js";
import { AlmaWebhooksStack } from "./stack.js";

// Run by the cdk CLI, CDK_OUTDIR says where to write; run with node, the app writes to ./cdk.out.
const app = new App(process.env.CDK_OUTDIR ? {} : { outdir: "cdk.out" });
const bundle = await loadLambdaBundle();
const configuration = readConfiguration(
  (name) => {
    const fromContext: unknown = app.node.tryGetContext(name);
    return fromContext === undefined ? process.env[name] : String(fromContext);
  },
  bundle.plugins,
  [...Object.keys(app.node.getAllContext()), ...Object.keys(process.env)],
);
if (configuration.placeholders.length > 0) {
  console.error(
    `infra: example values stand in for ${configuration.placeholders.join(", ")} (set them, or ALMA_INFRA_EXAMPLES=off)`,
  );
}
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
new AlmaWebhooksStack(app, configuration.stackName, {
  // The cdk CLI sets both from the credentials; without them the stack is environment-agnostic.
  ...(account && region ? { env: { account, region } } : {}),
  description: `alma-webhooks (${configuration.workspace}): the Alma webhook Lambda, its URL, role, logs, alarms, ledger and dashboard`,
  configuration,
  code: lambda.Code.fromAsset(bundle.zip),
  plugins: bundle.plugins,
  stateMachineArnPattern: bundle.stateMachineArnPattern,
});
app.synth();
