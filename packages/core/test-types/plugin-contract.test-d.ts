// Type tests for the plugin contract: compiled by `tsc -p packages/core/test-types` (make lint, make
// check-packages), never run. Each `@ts-expect-error` must stay needed: tsc fails when the error it
// expects is gone, so a contract that silently became looser breaks the build.
import {
  type ActivePlugin,
  activatePlugin,
  decline,
  defineJobPlugin,
  exactName,
  type JobMatcher,
  type JobPlugin,
  jobId,
  loadPlugins,
} from "../src/index.js";

const stateMachineArnSetting = (env: string) => ({ env, description: "ARN of the state machine to start" });

type Keys = "jobName" | "stateMachineArn";
type JobPluginDefinition<K extends string> = Parameters<typeof defineJobPlugin<K>>[0];

const settings = {
  jobName: { env: "ALMA_EXAMPLE_EXPORT_JOB_NAME", description: "Exact example export job name" },
  stateMachineArn: stateMachineArnSetting("EXAMPLE_STATE_MACHINE_ARN"),
};

/** A complete, valid definition; every misuse below changes one thing. */
const valid = {
  name: "EXAMPLE",
  settings,
  activatedBy: "jobName",
  matcher: ({ jobName }) => exactName(jobName),
  exportedRecordCounters: ["label.new.records"],
  target: ({ stateMachineArn }) => stateMachineArn,
  buildExecution: (job) => ({ input: { job_id: jobId(job) }, name: `example-${jobId(job)}` }),
} satisfies JobPluginDefinition<Keys>;

// The valid plugin compiles, keeps its setting keys, and is a JobPlugin<string> for loadPlugins.
export const examplePlugin: JobPlugin<Keys> = defineJobPlugin(valid);
export const loaded = loadPlugins([examplePlugin], process.env);
export const active: ActivePlugin = activatePlugin(examplePlugin, { jobName: "x", stateMachineArn: "y" });
export const declining = defineJobPlugin({ ...valid, buildExecution: () => decline("not today") });

// A plugin without a name.
// @ts-expect-error Property 'name' is missing
export const nameless = defineJobPlugin({
  settings,
  activatedBy: "jobName",
  matcher: ({ jobName }) => exactName(jobName),
  exportedRecordCounters: ["label.new.records"],
  target: ({ stateMachineArn }) => stateMachineArn,
  buildExecution: (job) => ({ input: { job_id: jobId(job) }, name: `example-${jobId(job)}` }),
});

// A name that is not a string.
// @ts-expect-error Type 'number' is not assignable to type 'string'
export const numberName = defineJobPlugin({ ...valid, name: 42 });

// A builder returning the wrong shape: no execution name.
export const namelessExecution = defineJobPlugin({
  ...valid,
  // @ts-expect-error Property 'name' is missing in type '{ input: ... }'
  buildExecution: (job) => ({ input: { job_id: jobId(job) } }),
});

// A builder returning the wrong shape: the input as a JSON string instead of an object.
export const stringInput = defineJobPlugin({
  ...valid,
  // @ts-expect-error Type 'string' is not assignable to type '{ readonly [key: string]: JsonValue; }'
  buildExecution: (job) => ({ input: JSON.stringify({ job_id: jobId(job) }), name: "example" }),
});

// A builder whose input holds something that is not JSON.
export const dateInput = defineJobPlugin({
  ...valid,
  // @ts-expect-error Type 'Date' is not assignable to type 'JsonValue'
  buildExecution: (job) => ({ input: { ended: new Date(job.end_time) }, name: "example" }),
});

// A builder that returns a bare string.
export const stringPlan = defineJobPlugin({
  ...valid,
  // @ts-expect-error Type 'string' is not assignable to type 'ExecutionPlan | Declined'
  buildExecution: (job) => `example-${jobId(job)}`,
});

// A matcher of the wrong type: a RegExp where a JobMatcher factory is expected.
// @ts-expect-error Type 'RegExp' is not assignable to type '(settings: ...) => JobMatcher'
export const regexMatcher = defineJobPlugin({ ...valid, matcher: /^example/i });

// A matcher factory that returns a string, not a JobMatcher.
export const stringMatcher = defineJobPlugin({
  ...valid,
  // @ts-expect-error Type 'string' is not assignable to type 'JobMatcher'
  matcher: ({ jobName }) => jobName,
});

// A JobMatcher without its description.
// @ts-expect-error Property 'description' is missing
export const bareMatcher: JobMatcher = { matches: (jobName: string) => jobName === "x" };

// A matcher reading a setting the plugin does not declare.
export const unknownSetting = defineJobPlugin({
  ...valid,
  // @ts-expect-error Property 'jobPrefix' does not exist on type 'Readonly<Record<Keys, string>>'
  matcher: (values) => exactName(values.jobPrefix),
});

// activatedBy naming a setting that does not exist.
// @ts-expect-error Type '"jobPrefix"' is not assignable to type 'Keys'
export const badActivation = defineJobPlugin({ ...valid, activatedBy: "jobPrefix" });

// A target that is not a string.
// @ts-expect-error Type 'number' is not assignable to type 'string'
export const numericTarget = defineJobPlugin({ ...valid, target: () => 42 });

// activatePlugin needs every declared setting.
// @ts-expect-error Property 'stateMachineArn' is missing
export const halfActivated = activatePlugin(examplePlugin, { jobName: "x" });
