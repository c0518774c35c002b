import type { AlmaCode, JobEndPayload, JobInstance } from "../payload/types.js";

/**
 * One entry of `job_instance.counter`, as Alma sends it: a counter type and its value, a string.
 *
 * @example
 * ```ts
 * const entry: AlmaCounter = counter("label.new.records", 12);
 * ```
 */
export interface AlmaCounter {
  readonly type: AlmaCode;
  readonly value: string;
}

/**
 * Builds one `job_instance.counter` entry.
 *
 * @example
 * ```ts
 * counter("label.new.records", 12); // { type: { value: "label.new.records", desc: "..." }, value: "12" }
 * ```
 */
export function counter(type: string, value: number | string, desc = ""): AlmaCounter {
  return { type: { value: type, desc }, value: String(value) };
}

/** The three counters a publishing job reports its records with. */
const publishingCounters = (created: number, updated: number, deleted: number): AlmaCounter[] => [
  counter("label.new.records", created, "New records"),
  counter("label.updated.records", updated, "Updated records"),
  counter("label.deleted.records", deleted, "Deleted records"),
];

/**
 * Shallow overrides of a JOB_END payload: top-level fields, and `job_instance` fields merged in.
 *
 * @example
 * ```ts
 * const overrides: JobEndOverrides = { institution: null, job_instance: { name: "POD to Dev1" } };
 * ```
 */
export interface JobEndOverrides {
  readonly job_instance?: Partial<JobInstance> & Record<string, unknown>;
  readonly [field: string]: unknown;
}

/**
 * Builds a JOB_END webhook payload in the shape Alma sends today (the newer shape, without the null
 * `bib`/`holding`/... fields), with every field Alma sends. Override what a test is about.
 *
 * @example
 * ```ts
 * const payload = jobEndPayload({
 *   job_instance: { name: "PPOD Export to Dev1", counter: [counter("label.new.records", 3)] },
 * });
 * ```
 */
export function jobEndPayload(overrides: JobEndOverrides = {}): JobEndPayload {
  const { job_instance: jobOverrides = {}, ...top } = overrides;
  const job_instance: JobInstance = {
    id: "6219373120004761",
    name: "Publishing Platform Job PPOD EXPORT to Dev1",
    submitted_by: { value: "exl_api", desc: "API, Ex Libris" },
    submit_time: "2024-11-06T14:30:01.256Z",
    start_time: "2024-11-06T14:30:05.112Z",
    end_time: "2024-11-06T14:43:10.585Z",
    progress: 110,
    status: { value: "COMPLETED_SUCCESS", desc: "Completed Successfully" },
    status_date: "2024-11-06Z",
    alert: [{ value: "alert_general_success", desc: "The job completed successfully." }],
    counter: [
      ...publishingCounters(12, 3, 0),
      counter("c.jobs.publishing.total_records", 15, "Total records processed"),
      counter("c.jobs.publishing.free_text", 0),
      counter("c.jobs.publishing.free_text", 0),
    ],
    action: [],
    link: "https://api-na.hosted.exlibrisgroup.com/almaws/v1/conf/jobs/M48/instances/6219373120004761",
    job_info: {
      id: "M48",
      name: "Publishing Platform Job PPOD EXPORT to Dev1",
      description: "Publishing profile export",
      type: { value: "SCHEDULED", desc: "Scheduled" },
      category: { value: "PUBLISHING", desc: "Publishing" },
      link: "https://api-na.hosted.exlibrisgroup.com/almaws/v1/conf/jobs/M48",
    },
    ...jobOverrides,
  };
  return {
    id: "3751207219283201",
    action: "JOB_END",
    institution: { value: "01MIT_INST", desc: "Massachusetts Institute of Technology" },
    time: "2024-11-06T14:43:11.020Z",
    job_instance,
    ...top,
  } as JobEndPayload;
}

/**
 * The older JOB_END shape: the same payload with `bib`, `holding`, `item`, `portfolio`, `representation`
 * and `event` present as `null`.
 *
 * @example
 * ```ts
 * const legacy = legacyJobEndPayload({ job_instance: { name: "Bursar Export to Dev1" } });
 * ```
 */
export function legacyJobEndPayload(overrides: JobEndOverrides = {}): JobEndPayload {
  const nulls = { bib: null, holding: null, item: null, portfolio: null, representation: null, event: null };
  return jobEndPayload({ ...nulls, ...overrides });
}

/**
 * A failed run: `COMPLETED_FAILED` with the error counters Alma adds.
 *
 * @example
 * ```ts
 * const failed = failedJobEndPayload({ job_instance: { name: "PPOD Export to Dev1" } });
 * ```
 */
export function failedJobEndPayload(overrides: JobEndOverrides = {}): JobEndPayload {
  return jobEndPayload({
    ...overrides,
    job_instance: {
      status: { value: "COMPLETED_FAILED", desc: "Completed with Errors" },
      alert: [{ value: "alert_general_error", desc: "The job completed with errors." }],
      // As Alma lists a failed publishing job's errors: free-text types and values, MMS IDs.
      counter: [
        ...publishingCounters(4, 0, 0),
        counter("c.jobs.publishing.failed_records", 9, "Records failed"),
        counter("FTP has failed.", "Download zip file for manual FTP."),
        counter("Failed to process record", "9979472923703681"),
      ],
      ...overrides.job_instance,
    },
  });
}

/**
 * A webhook of another kind (not JOB_END), e.g. a NOTIFICATION.
 *
 * @example
 * ```ts
 * const body = JSON.stringify(otherActionPayload("USER"));
 * ```
 */
export function otherActionPayload(action = "NOTIFICATION"): Record<string, unknown> {
  return {
    id: "3751207219283555",
    action,
    institution: { value: "01MIT_INST", desc: "Massachusetts Institute of Technology" },
    time: "2024-11-06T15:00:00.000Z",
    notification: { entity_id: "991234", entity_type: "BIB_MMS" },
  };
}

const EVENT_RECORDS: Readonly<Record<string, readonly [event: string, key: string, record: unknown]>> = {
  LOAN: [
    "LOAN_CREATED",
    "item_loan",
    {
      loan_id: "7332811490004761",
      user_id: "PRIMARY_ID_1",
      item_barcode: "39080012345678",
      title: "The grammar of ornament",
      renewable: true,
      circ_desk: { value: "DEFAULT_CIRC_DESK", desc: "Main circulation desk" },
      library: { value: "HUM", desc: "Hayden Library" },
      loan_date: "2024-11-06T15:00:00Z",
      due_date: "2024-12-06T23:59:00Z",
      loan_status: "ACTIVE",
    },
  ],
  REQUEST: [
    "REQUEST_CREATED",
    "user_request",
    {
      request_id: "8124516730004761",
      user_primary_id: "PRIMARY_ID_1",
      request_type: "HOLD",
      request_status: "NOT_STARTED",
      title: "The grammar of ornament",
      pickup_location: "Hayden Library",
    },
  ],
  USER: [
    "USER_UPDATED",
    "webhook_user",
    {
      method: "UPDATE",
      cause: "USER_UPDATED",
      user: { primary_id: "PRIMARY_ID_1", user_group: { value: "STAFF", desc: "Staff" }, last_name: "Doe" },
    },
  ],
  BIB: [
    "BIB_UPDATED",
    "bib",
    {
      mms_id: "9979472923703681",
      title: "The grammar of ornament",
      author: "Jones, Owen",
      record_format: "marc21",
      suppress_from_publishing: "false",
      anies: ["<record><leader>01234cam a2200289 a 4500</leader></record>"],
    },
  ],
  ITEM: [
    "ITEM_UPDATED",
    "item",
    {
      bib_data: { mms_id: "9979472923703681", title: "The grammar of ornament" },
      holding_data: { holding_id: "22312345670004761" },
      item_data: {
        pid: "23312345670004761",
        barcode: "39080012345678",
        base_status: { value: "1", desc: "Item in place" },
      },
    },
  ],
  NOTIFICATION: [
    "NOTIFICATION_CREATED",
    "notification",
    { description: "Import profile finished", entity_type: "IMPORT" },
  ],
};

/**
 * A webhook of another kind than JOB_END, in the shape Alma sends: LOAN, REQUEST, USER, BIB, ITEM or
 * NOTIFICATION, with its event and its record (`item_loan`, `user_request`, `webhook_user`, `bib`, `item`,
 * `notification`). Top-level overrides are merged in.
 *
 * @example
 * ```ts
 * const loan = almaEventPayload("LOAN", { event: { value: "LOAN_RETURNED", desc: "Loan returned" } });
 * ```
 */
export function almaEventPayload(
  action: string,
  overrides: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const [event, key, record] = EVENT_RECORDS[action] ?? [`${action}_UPDATED`, action.toLowerCase(), {}];
  return {
    id: "3751207219283555",
    action,
    institution: { value: "01MIT_INST", desc: "Massachusetts Institute of Technology" },
    time: "2024-11-06T15:00:00.000Z",
    event: { value: event, desc: event.toLowerCase().replace(/_/g, " ") },
    [key]: structuredClone(record),
    ...overrides,
  };
}
