import {
  challengeEvent,
  counter,
  functionUrlEvent,
  jobEndPayload,
  signedPost,
} from "@alma-webhooks/core/testing";
import { ADDED_PLUGINS, JOBS, SECRET } from "./environment.js";

const VALIDATED = "Webhook POST request received and validated";

/** Alma JOB_END payloads that start each pipeline under the test environment. */
export const TRIGGERS = {
  pod: () => jobEndPayload({ job_instance: { name: JOBS.PPOD } }),
  timdex: (runType: string) => jobEndPayload({ job_instance: { name: `${JOBS.TIMDEX_PREFIX} ${runType}` } }),
  bursar: () =>
    jobEndPayload({
      job_instance: {
        name: JOBS.BURSAR,
        id: "7019873450004761",
        counter: [counter("com.exlibris.external.bursar.report.fines_fees_count", 4)],
      },
    }),
};

/** Each plugin a plugin author added to the list, with the first of its sample payloads, if it has any. */
const ADDED_SAMPLES = (
  await Promise.all(
    ADDED_PLUGINS.map(async (plugin) => {
      const [sample] = (await plugin.samplePayloads?.()) ?? [];
      return sample === undefined ? [] : [{ name: plugin.name, sample }];
    }),
  )
).flat();

/** The plugins whose "initiated" rows of {@link RESPONSE_TABLE} start one execution each, in that order. */
export const STARTED: readonly string[] = [
  "PPOD",
  "TIMDEX",
  "BURSAR",
  ...ADDED_SAMPLES.map(({ name }) => name),
];

/**
 * The README's response table ("Answers"), one event per row with its exact answer: what the handler,
 * from sources or bundled, must answer to the character; then a started row for each added plugin's
 * first sample payload (under VALID_ENV). The "initiated" rows each start one execution, in order
 * ({@link STARTED}).
 */
export const RESPONSE_TABLE: readonly (readonly [event: unknown, status: number, body: string])[] = [
  [challengeEvent("c-1"), 200, "c-1"],
  [functionUrlEvent({ method: "GET" }), 400, "Malformed request, 'challenge' query parameter required."],
  [functionUrlEvent({ method: "PUT" }), 405, "HTTP method PUT not allowed. Supported methods: GET, POST."],
  [
    signedPost(TRIGGERS.pod(), "wrong"),
    401,
    "Unable to validate signature. Has the webhook challenge secret changed?",
  ],
  [
    signedPost({ action: "USER" }, SECRET),
    200,
    `${VALIDATED}, not a JOB_END webhook so no action was taken.`,
  ],
  [
    signedPost(jobEndPayload({ job_instance: { name: "PPOD export to Prod" } }), SECRET),
    200,
    `${VALIDATED} in dev env for job 'PPOD export to Prod', no action taken.`,
  ],
  [
    signedPost(jobEndPayload({ job_instance: { name: "Other to Dev1" } }), SECRET),
    200,
    `${VALIDATED}, no action taken.`,
  ],
  [
    signedPost(
      jobEndPayload({ job_instance: { name: JOBS.PPOD, status: { value: "COMPLETED_FAILED" } } }),
      SECRET,
    ),
    200,
    `${VALIDATED}, Alma job '${JOBS.PPOD}' failed so no action was taken.`,
  ],
  [
    signedPost(
      jobEndPayload({ job_instance: { name: JOBS.PPOD, counter: [counter("label.new.records", 0)] } }),
      SECRET,
    ),
    200,
    `${VALIDATED}, Alma job '${JOBS.PPOD}' exported zero records so no action was taken.`,
  ],
  [signedPost(TRIGGERS.pod(), SECRET), 200, `${VALIDATED}, PPOD pipeline initiated.`],
  [signedPost(TRIGGERS.timdex("Daily"), SECRET), 200, `${VALIDATED}, TIMDEX pipeline initiated.`],
  [signedPost(TRIGGERS.bursar(), SECRET), 200, `${VALIDATED}, BURSAR pipeline initiated.`],
  ...ADDED_SAMPLES.map(
    ({ name, sample }) =>
      [signedPost(sample, SECRET), 200, `${VALIDATED}, ${name} pipeline initiated.`] as const,
  ),
  [{}, 400, "Malformed request: the event is not an HTTP event (no HTTP method found)."],
];
