/**
 * A `{ value, desc }` pair, as Alma sends for statuses, counter types, institutions and events.
 *
 * @example
 * ```ts
 * const status: AlmaCode = { value: "COMPLETED_SUCCESS", desc: "Completed Successfully" };
 * ```
 */
export interface AlmaCode {
  readonly value: string;
  readonly desc?: string;
}

/**
 * Any webhook body that parsed: an object with an `action`. Every other field is read, and checked, only
 * by the step that uses it: Alma's bodies vary by version and by job, and unknown fields are normal.
 *
 * @example
 * ```ts
 * if (payload.action === "JOB_END") console.log("a job ended");
 * ```
 */
export interface WebhookPayload {
  readonly action: string;
  readonly [field: string]: unknown;
}

/**
 * The `job_instance` of a JOB_END webhook. Only `name` has been checked when a plugin sees it (every decision
 * starts from the name); read the rest with {@link jobEndDate} and {@link jobId}, which check what they
 * read and turn a missing or malformed field into a 400 answer naming it.
 *
 * @example
 * ```ts
 * const job: JobInstance = payload.job_instance;
 * console.log(job.name, jobEndDate(job));
 * ```
 */
export interface JobInstance {
  readonly name: string;
  readonly [field: string]: unknown;
}

/**
 * A JOB_END webhook body whose `job_instance.name` has been checked.
 *
 * @example
 * ```ts
 * buildExecution: (job, { payload }) => ({ input: { institution: String(payload.institution) }, name })
 * ```
 */
export interface JobEndPayload extends WebhookPayload {
  readonly action: "JOB_END";
  readonly job_instance: JobInstance;
}
