// The CDK app: one stack per workspace. `node dist/src/app.js` synthesises into cdk.out with no AWS account;
// `cdk deploy --app "node dist/src/app.js"` deploys it (make deploy STAGE=…). With ALMA_STAGE set, the
// stack is read from infra/stages/<ALMA_STAGE>.env (the shell and CDK context override it), checked by the
// function's own configuration loader; without it, from the environment alone, as before stage files.
import { App, aws_lambda as lambda } from "aws-cdk-lib";
import { type InfraConfiguration, readConfiguration } from "./configuration.js";
import { loadFunctionChecks, loadLambdaBundle } from "./lambda-bundle.js";
import { AlmaWebhooksStack } from "./stack.js";
import { loadStage, StageError } from "./stage.js";

// Run by the cdk CLI, CDK_OUTDIR says where to write; run with node, the app writes to ./cdk.out.
const app = new App(process.env.CDK_OUTDIR ? {} : { outdir: "cdk.out" });
const bundle = await loadLambdaBundle();
const lookup = (name: string): string | undefined => {
  const fromContext: unknown = app.node.tryGetContext(name);
  return fromContext === undefined ? process.env[name] : String(fromContext);
};
const names = [...Object.keys(app.node.getAllContext()), ...Object.keys(process.env)];
// The cdk CLI sets both from the credentials; without them the stack is environment-agnostic.
const account = process.env.CDK_DEFAULT_ACCOUNT;
let region = process.env.CDK_DEFAULT_REGION;
let configuration: InfraConfiguration;
const stageName = lookup("ALMA_STAGE")?.trim();
if (stageName) {
  try {
    const shell = Object.fromEntries(names.map((name) => [name, lookup(name)]));
    const stage = loadStage({
      stage: stageName,
      checks: await loadFunctionChecks(),
      shell,
      ...(account ? { account } : {}),
      ...(region ? { region } : {}),
    });
    for (const warning of stage.warnings) console.error(`infra: ${warning}`);
    configuration = stage.configuration;
    region = stage.region;
  } catch (error) {
    if (!(error instanceof StageError)) throw error;
    console.error(`infra: refused: ${error.message}`);
    process.exit(1);
  }
} else {
  configuration = readConfiguration(lookup, bundle.plugins, names);
  if (configuration.placeholders.length > 0) {
    console.error(
      `infra: example values stand in for ${configuration.placeholders.join(", ")} (set them, or ALMA_INFRA_EXAMPLES=off)`,
    );
  }
}
new AlmaWebhooksStack(app, configuration.stackName, {
  ...(account && region ? { env: { account, region } } : {}),
  description: `alma-webhooks (${configuration.workspace}): the Alma webhook Lambda, its URL on a live alias, role, logs, alarms, ledger and dashboard`,
  configuration,
  code: lambda.Code.fromAsset(bundle.zip),
  plugins: bundle.plugins,
  stateMachineArnPattern: bundle.stateMachineArnPattern,
});
app.synth();
