// Type tests for the plugin contract: compiled by `tsc -p packages/core/test-types` (make lint, make
// check-packages), never run. Each `@ts-expect-error` must stay needed: tsc fails when the error it
// expects is gone, so a contract that silently became looser breaks the build.
import {
  type ActivePlugin,
  activatePlugin,
  decline,
  definePlugin,
  exactName,
  type JobEndPayload,
  type JobMatcher,
  type JsonValue,
  jobId,
  type LoanPayload,
  loadPlugins,
  type PluginDefinition,
  type WebhookPlugin,
} from "../src/index.js";

const stateMachineArnSetting = (env: string) => ({ env, description: "ARN of the state machine to start" });

type Keys = "jobName" | "stateMachineArn";
type JobPluginDefinition<K extends string> = PluginDefinition<K, "JOB_END">;

const settings = {
  jobName: { env: "ALMA_EXAMPLE_EXPORT_JOB_NAME", description: "Exact example export job name" },
  stateMachineArn: stateMachineArnSetting("EXAMPLE_STATE_MACHINE_ARN"),
};

/** A complete, valid definition; every misuse below changes one thing. */
const valid = {
  name: "EXAMPLE",
  settings,
  activatedBy: "jobName",
  actions: ["JOB_END"],
  jobMatcher: ({ jobName }) => exactName(jobName),
  exportedRecordCounters: ["label.new.records"],
  target: ({ stateMachineArn }) => stateMachineArn,
  buildExecution: ({ job_instance: job }) => ({
    input: { job_id: jobId(job) },
    name: `example-${jobId(job)}`,
  }),
} satisfies JobPluginDefinition<Keys>;

// The valid plugin compiles, keeps its setting keys, and is a WebhookPlugin<string> for loadPlugins.
export const examplePlugin: WebhookPlugin<Keys, JobEndPayload> = definePlugin(valid);
export const loaded = loadPlugins([examplePlugin], process.env);
export const active: ActivePlugin = activatePlugin(examplePlugin, { jobName: "x", stateMachineArn: "y" });
export const declining = definePlugin({
  ...valid,
  buildExecution: () => decline("not today"),
});

// A plugin without a name.
// @ts-expect-error Property 'name' is missing
export const nameless = definePlugin<Keys, "JOB_END">({
  actions: ["JOB_END"],
  acceptedStatuses: ["COMPLETED_SUCCESS"],
  settings,
  activatedBy: "jobName",
  jobMatcher: ({ jobName }) => exactName(jobName),
  exportedRecordCounters: ["label.new.records"],
  target: ({ stateMachineArn }) => stateMachineArn,
  buildExecution: ({ job_instance: job }) => ({
    input: { job_id: jobId(job) },
    name: `example-${jobId(job)}`,
  }),
});

// A name that is not a string.
export const numberName = definePlugin<Keys, "JOB_END">({
  ...valid,
  // @ts-expect-error Type 'number' is not assignable to type 'string'
  name: 42,
});

// A builder returning the wrong shape: no execution name.
export const namelessExecution = definePlugin<Keys, "JOB_END">({
  ...valid,
  // @ts-expect-error Property 'name' is missing in type '{ input: ... }'
  buildExecution: ({ job_instance: job }) => ({ input: { job_id: jobId(job) } }),
});

// A builder returning the wrong shape: the input as a JSON string instead of an object.
export const stringInput = definePlugin<Keys, "JOB_END">({
  ...valid,
  buildExecution: ({ job_instance: job }) => ({
    // @ts-expect-error Type 'string' is not assignable to type 'object'
    input: JSON.stringify({ job_id: jobId(job) }),
    name: "example",
  }),
});

// A typed payload flows on as the input, as it is: no cast (it is serialised with JSON.stringify).
export const payloadInput = definePlugin({
  ...valid,
  actions: ["LOAN"],
  jobMatcher: undefined,
  exportedRecordCounters: undefined,
  buildExecution: (payload: LoanPayload, { executionName }) => ({
    input: payload,
    name: executionName("loan"),
  }),
});
export const jsonInput: JsonValue = { loan: "1", due: undefined, note: null, steps: ["a"] };

// A builder whose input is not an object.
export const numberInput = definePlugin<Keys, "JOB_END">({
  ...valid,
  // @ts-expect-error Type 'number' is not assignable to type 'object'
  buildExecution: () => ({ input: 42, name: "example" }),
});

// A builder that returns a bare string.
export const stringPlan = definePlugin<Keys, "JOB_END">({
  ...valid,
  // @ts-expect-error Type 'string' is not assignable to type 'ExecutionPlan | Declined'
  buildExecution: ({ job_instance: job }) => `example-${jobId(job)}`,
});

// A matcher of the wrong type: a RegExp where a JobMatcher factory is expected.
export const regexMatcher = definePlugin<Keys, "JOB_END">({
  ...valid,
  // @ts-expect-error Type 'RegExp' is not assignable to type '(settings: ...) => JobMatcher'
  jobMatcher: /^example/i,
});

// A matcher factory that returns a string, not a JobMatcher.
export const stringMatcher = definePlugin<Keys, "JOB_END">({
  ...valid,
  // @ts-expect-error Type 'string' is not assignable to type 'JobMatcher'
  jobMatcher: ({ jobName }) => jobName,
});

// A JobMatcher without its description.
// @ts-expect-error Property 'description' is missing
export const bareMatcher: JobMatcher = { matches: (jobName: string) => jobName === "x" };

// A matcher reading a setting the plugin does not declare.
export const unknownSetting = definePlugin<Keys, "JOB_END">({
  ...valid,
  // @ts-expect-error Property 'jobPrefix' does not exist on type 'Readonly<Record<Keys, string>>'
  jobMatcher: (values) => exactName(values.jobPrefix),
});

// activatedBy naming a setting that does not exist.
export const badActivation = definePlugin<Keys, "JOB_END">({
  ...valid,
  // @ts-expect-error Type '"jobPrefix"' is not assignable to type 'Keys'
  activatedBy: "jobPrefix",
});

// A target that is not a string.
export const numericTarget = definePlugin<Keys, "JOB_END">({
  ...valid,
  // @ts-expect-error Type 'number' is not assignable to type 'string'
  target: () => 42,
});

// activatePlugin needs every declared setting.
// @ts-expect-error Property 'stateMachineArn' is missing
export const halfActivated = activatePlugin(examplePlugin, { jobName: "x" });
