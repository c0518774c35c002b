// `make plan STAGE=…` runs this (`node dist/src/plan-cli.js`, ALMA_STAGE naming the stage); `make deploy`
// runs it with --deploy before cdk deploy. The exit code says whether the stage may go on.
import { loadFunctionChecks } from "./lambda-bundle.js";
import { awsCli, plan } from "./plan.js";

process.exitCode = await plan({
  stage: process.env.ALMA_STAGE?.trim() || undefined,
  deploy: process.argv.includes("--deploy"),
  checks: await loadFunctionChecks(),
  shell: process.env,
  aws: (region) => awsCli(region),
  print: (line) => console.log(line),
});
