import { expect } from "chai";
import { InvalidPayloadError, jobEndDate, jobId } from "../src/index.js";
import { checkJobEnd, hasRecords, jobStatus } from "../src/payload/job-end.js";
import { parseJsonBody } from "../src/payload/parse.js";
import { counter, jobEndPayload, legacyJobEndPayload, otherActionPayload } from "../src/testing/index.js";

const parse = (value: unknown) =>
  parseJsonBody(Buffer.from(typeof value === "string" ? value : JSON.stringify(value)));
const reasonOf = (value: unknown): string => {
  const result = parse(value);
  if (result.ok) throw new Error("expected the body to be refused");
  return result.reason;
};
const refusal = (read: () => unknown): string => {
  try {
    read();
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidPayloadError);
    return (error as Error).message;
  }
  throw new Error("expected the field to be refused");
};
const job = (fields: Record<string, unknown>) => ({ name: "A job", ...fields });

describe("parseJsonBody", () => {
  it("accepts a full JOB_END payload, the older shape, and other actions", () => {
    expect(parse(jobEndPayload()).ok).to.equal(true);
    expect(parse(legacyJobEndPayload()).ok).to.equal(true);
    expect(parse(otherActionPayload("USER")).ok).to.equal(true);
  });

  it("accepts a JOB_END with nothing but an action: the rest is read by the step that needs it", () => {
    expect(parse({ action: "JOB_END" }).ok).to.equal(true);
  });

  it("refuses an empty body", () => {
    expect(reasonOf("")).to.equal("The body is empty; a JSON webhook body is required.");
  });

  it("refuses a body that is not JSON, without quoting the body", () => {
    expect(reasonOf('{"secret": x')).to.match(/^The body is not valid JSON \(.+\)\.$/);
    expect(reasonOf('{"secret": x')).not.to.include("secret");
  });

  it("refuses a JSON array, null, a string, a missing or empty action", () => {
    expect(reasonOf([{ action: "JOB_END" }])).to.equal(
      "The body must be a JSON object with an 'action', not an array.",
    );
    expect(reasonOf(null)).to.equal("The body must be a JSON object with an 'action', not null.");
    expect(reasonOf("x")).to.match(/not valid JSON/);
    expect(reasonOf('"x"')).to.equal("The body must be a JSON object with an 'action', not a string.");
    expect(reasonOf({ id: "1" })).to.equal("action is required.");
    // Any other action is simply not claimed: the previous deployment answered it "not a JOB_END webhook".
    expect(parse({ action: " " }).ok).to.equal(true);
    expect(parse({ action: 3 })).to.deep.include({ ok: true, payload: { action: "3" } });
  });

  it("accepts a leading byte-order mark", () => {
    expect(parseJsonBody(Buffer.from(`\uFEFF${JSON.stringify(jobEndPayload())}`)).ok).to.equal(true);
  });
});

describe("checkJobEnd", () => {
  it("needs job_instance and its name, nothing else", () => {
    expect(checkJobEnd({ action: "JOB_END", job_instance: { name: "X" } }).job_instance.name).to.equal("X");
    expect(refusal(() => checkJobEnd({ action: "JOB_END" }))).to.equal("job_instance is required.");
    expect(refusal(() => checkJobEnd({ action: "JOB_END", job_instance: [] }))).to.equal(
      "job_instance must be an object.",
    );
    expect(refusal(() => checkJobEnd({ action: "JOB_END", job_instance: {} }))).to.equal(
      "job_instance.name is required.",
    );
    expect(refusal(() => checkJobEnd({ action: "JOB_END", job_instance: { name: 7 } }))).to.equal(
      "job_instance.name must be a string.",
    );
  });
});

describe("jobStatus", () => {
  it("reads status.value and names what is missing", () => {
    expect(jobStatus(job({ status: { value: "COMPLETED_SUCCESS" } }))).to.equal("COMPLETED_SUCCESS");
    expect(refusal(() => jobStatus(job({})))).to.equal("job_instance.status is required.");
    // An XML <status> without a desc attribute is its bare value.
    expect(jobStatus(job({ status: "COMPLETED_FAILED" }))).to.equal("COMPLETED_FAILED");
    for (const status of [7, " ", [], true]) {
      expect(refusal(() => jobStatus(job({ status })))).to.equal(
        "job_instance.status must be an object with a 'value'.",
      );
    }
    expect(refusal(() => jobStatus(job({ status: null })))).to.equal("job_instance.status is required.");
    expect(refusal(() => jobStatus(job({ status: { desc: "x" } })))).to.equal(
      "job_instance.status.value must be a non-empty string.",
    );
  });
});

describe("hasRecords", () => {
  const RECORDS = ["label.new.records", "label.updated.records"];

  it("adds up only the named counters", () => {
    expect(
      hasRecords(job({ counter: [counter("label.new.records", 0), counter("other", 5)] }), RECORDS),
    ).to.equal(false);
    expect(hasRecords(job({ counter: [counter("label.updated.records", 2)] }), RECORDS)).to.equal(true);
    expect(hasRecords(job({ counter: [] }), RECORDS)).to.equal(false);
  });

  it("never reads other counters: free-text types and values, MMS IDs of any length", () => {
    const entries = [
      counter("FTP has failed.", "Download zip file for manual FTP."),
      counter("Publishing error", "Failed to parse marc record9979472923703681"),
      counter("Failed to process record", "99794729237036810000"),
      { type: "no object" },
      "not even an object",
      counter("label.new.records", "0"),
    ];
    expect(hasRecords(job({ counter: entries }), RECORDS)).to.equal(false);
  });

  it("accepts record counts of any number of digits", () => {
    expect(
      hasRecords(
        job({ counter: [counter("label.new.records", "99794729237036819979472923703681")] }),
        RECORDS,
      ),
    ).to.equal(true);
    expect(
      hasRecords(job({ counter: [counter("label.new.records", "0000000000000000000000")] }), RECORDS),
    ).to.equal(false);
  });

  it("refuses a record counter that is not a whole number, naming it", () => {
    for (const value of ["twelve", "-3", "1.5", "", "1e3"]) {
      expect(
        refusal(() =>
          hasRecords(job({ counter: [counter("x", "1"), counter("label.new.records", value)] }), RECORDS),
        ),
      ).to.equal(
        'job_instance.counter[1].value (label.new.records) must be a whole number written as a string, like "12".',
      );
    }
  });

  it("needs counter to be an array when a plugin counts records", () => {
    expect(refusal(() => hasRecords(job({}), RECORDS))).to.equal("job_instance.counter is required.");
    expect(refusal(() => hasRecords(job({ counter: {} }), RECORDS))).to.equal(
      "job_instance.counter must be an array.",
    );
  });
});

describe("jobEndDate", () => {
  it("takes the calendar date of a date-time, with or without zone and fractions, or of a date", () => {
    expect(jobEndDate(job({ end_time: "2024-11-06T14:43:10.585Z" }))).to.equal("2024-11-06");
    expect(jobEndDate(job({ end_time: "2024-11-06T23:43:10+05:00" }), "")).to.equal("20241106");
    expect(jobEndDate(job({ end_time: "2024-11-06T14:43" }))).to.equal("2024-11-06");
    expect(jobEndDate(job({ end_time: "2023-08-15" }), "")).to.equal("20230815");
    expect(jobEndDate(job({ end_time: "2024-02-29T00:00:00Z" }))).to.equal("2024-02-29");
    expect(jobEndDate(job({ end_time: "2024-11-06T24:00:00Z" }))).to.equal("2024-11-06"); // ISO 8601 end of day
  });

  it("refuses what is not a real date or date-time, naming the field", () => {
    for (const end_time of [
      "9999-99-99T99:99",
      "2023-02-29",
      "2024-11-06T24:01",
      "2024-11-06T25:00",
      "2024-13-01",
      "06/11/2024",
      "",
      20241106,
    ]) {
      expect(refusal(() => jobEndDate(job({ end_time })))).to.match(/^job_instance\.end_time /);
    }
    expect(refusal(() => jobEndDate(job({})))).to.equal("job_instance.end_time is required.");
  });

  it("says which rule the end_time broke, word for word", () => {
    const expected = "must be a date (2024-11-06) or an ISO 8601 date-time (2024-11-06T14:43:10.585Z)";
    expect(refusal(() => jobEndDate(job({ end_time: null })))).to.equal("job_instance.end_time is required.");
    expect(refusal(() => jobEndDate(job({ end_time: 20241106 })))).to.equal(
      `job_instance.end_time ${expected}.`,
    );
    expect(refusal(() => jobEndDate(job({ end_time: "06/11/2024" })))).to.equal(
      `job_instance.end_time ${expected}.`,
    );
    expect(refusal(() => jobEndDate(job({ end_time: "2023-02-29" })))).to.equal(
      `job_instance.end_time is not a real calendar date: ${expected}.`,
    );
    expect(refusal(() => jobEndDate(job({ end_time: "2024-11-06T24:01" })))).to.equal(
      `job_instance.end_time is not a real time of day: ${expected}.`,
    );
  });
});

describe("jobId", () => {
  it("reads the id, and names it when missing", () => {
    expect(jobId(job({ id: "6219373120004761" }))).to.equal("6219373120004761");
    expect(refusal(() => jobId(job({})))).to.equal("job_instance.id is required.");
    expect(refusal(() => jobId(job({ id: "" })))).to.equal("job_instance.id must be a non-empty string.");
    expect(refusal(() => jobId(job({ id: null })))).to.equal("job_instance.id is required.");
    expect(refusal(() => jobId(job({ id: 1.5 })))).to.equal("job_instance.id must be a non-empty string.");
    expect(jobId(job({ id: 6219373120004761 }))).to.equal("6219373120004761");
  });
});
