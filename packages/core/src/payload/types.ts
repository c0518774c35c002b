/**
 * A `{ value, desc }` pair, as Alma sends for statuses, counter types and institutions.
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
 * One entry of `job_instance.counter`: a counter type and its count, a whole number written as a string.
 *
 * @example
 * ```ts
 * const entry: AlmaCounter = { type: { value: "label.new.records", desc: "New records" }, value: "12" };
 * ```
 */
export interface AlmaCounter {
  readonly type: AlmaCode;
  readonly value: string;
}

/**
 * The `job_instance` of a JOB_END webhook: the fields core relies on are typed; everything else Alma sends
 * (`submitted_by`, `progress`, `alert`, `job_info`, ...) is kept as it came.
 *
 * @example
 * ```ts
 * const job: JobInstance = payload.job_instance;
 * console.log(job.name, job.status.value, job.end_time);
 * ```
 */
export interface JobInstance {
  readonly id: string;
  readonly name: string;
  readonly status: AlmaCode;
  /** ISO 8601 date-time at which the job ended, e.g. `2024-11-06T14:43:10.585Z`. */
  readonly end_time: string;
  readonly counter: readonly AlmaCounter[];
  readonly [field: string]: unknown;
}

/**
 * A validated JOB_END webhook body.
 *
 * @example
 * ```ts
 * if (isJobEnd(payload)) console.log(payload.job_instance.id);
 * ```
 */
export interface JobEndPayload {
  readonly action: "JOB_END";
  readonly job_instance: JobInstance;
  readonly [field: string]: unknown;
}

/**
 * Any validated webhook body: at least an `action`.
 *
 * @example
 * ```ts
 * const result = parseWebhookBody(body);
 * if (result.ok && result.payload.action !== "JOB_END") console.log("ignored", result.payload.action);
 * ```
 */
export interface WebhookEnvelope {
  readonly action: string;
  readonly [field: string]: unknown;
}
