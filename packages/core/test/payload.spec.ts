import { expect } from "chai";
import { jobEndDate, parseWebhookBody, pathOf } from "../src/index.js";
import { jobEndPayload, legacyJobEndPayload, otherActionPayload } from "../src/testing/index.js";

const parse = (value: unknown) =>
  parseWebhookBody(Buffer.from(typeof value === "string" ? value : JSON.stringify(value)));
const reasonOf = (value: unknown): string => {
  const result = parse(value);
  if (result.ok) throw new Error("expected the body to be refused");
  return result.reason;
};

function without(path: string[]): Record<string, unknown> {
  const payload = structuredClone(jobEndPayload()) as Record<string, unknown>;
  let node: Record<string, unknown> = payload;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  delete node[path[path.length - 1] as string];
  return payload;
}

describe("parseWebhookBody", () => {
  it("accepts a full JOB_END payload", () => {
    expect(parse(jobEndPayload()).ok).to.equal(true);
  });

  it("accepts the older shape with null bib/holding/item fields", () => {
    expect(parse(legacyJobEndPayload()).ok).to.equal(true);
  });

  it("accepts other actions without a job_instance", () => {
    expect(parse(otherActionPayload("USER")).ok).to.equal(true);
  });

  it("refuses an empty body", () => {
    expect(reasonOf("")).to.equal("The body is empty; a JSON webhook body is required.");
  });

  it("refuses a body that is not JSON, quoting the parser", () => {
    expect(reasonOf("action=JOB_END")).to.match(/^The body is not valid JSON \(.+\)\.$/);
  });

  it("refuses a JSON array", () => {
    expect(reasonOf([{ action: "JOB_END" }])).to.equal("Invalid webhook body: the body must be an object.");
  });

  it("refuses JSON without an action", () => {
    expect(reasonOf({ id: "1" })).to.equal("Invalid webhook body: action is required.");
  });

  it("refuses a JOB_END without job_instance", () => {
    expect(reasonOf({ action: "JOB_END" })).to.equal(
      "Invalid JOB_END webhook body: job_instance is required.",
    );
  });

  for (const field of ["id", "name", "status", "end_time", "counter"]) {
    it(`refuses a JOB_END whose job_instance has no ${field}`, () => {
      expect(reasonOf(without(["job_instance", field]))).to.equal(
        `Invalid JOB_END webhook body: job_instance.${field} is required.`,
      );
    });
  }

  it("refuses a status without value, naming the path", () => {
    expect(reasonOf(without(["job_instance", "status", "value"]))).to.equal(
      "Invalid JOB_END webhook body: job_instance.status.value is required.",
    );
  });

  it("refuses a non-numeric counter value, naming the counter", () => {
    const payload = jobEndPayload({
      job_instance: { counter: [{ type: { value: "label.new.records" }, value: "twelve" }] },
    });
    expect(reasonOf(payload)).to.equal(
      'Invalid JOB_END webhook body: job_instance.counter[0].value must be a whole number written as a string, like "12".',
    );
  });

  it("refuses a counter given as a number instead of a string", () => {
    const payload = jobEndPayload({
      job_instance: { counter: [{ type: { value: "x" }, value: 12 as unknown as string }] },
    });
    expect(reasonOf(payload)).to.equal(
      "Invalid JOB_END webhook body: job_instance.counter[0].value must be a string.",
    );
  });

  it("refuses counter that is not an array", () => {
    expect(reasonOf(jobEndPayload({ job_instance: { counter: "12" as never } }))).to.equal(
      "Invalid JOB_END webhook body: job_instance.counter must be an array.",
    );
  });

  it("refuses an end_time that is not an ISO date-time", () => {
    expect(reasonOf(jobEndPayload({ job_instance: { end_time: "yesterday" } }))).to.equal(
      "Invalid JOB_END webhook body: job_instance.end_time must be an ISO 8601 date-time.",
    );
  });

  it("refuses an empty job name", () => {
    expect(reasonOf(jobEndPayload({ job_instance: { name: "" } }))).to.equal(
      "Invalid JOB_END webhook body: job_instance.name must not be empty.",
    );
  });

  it("lists several problems at once", () => {
    const payload = {
      action: "JOB_END",
      job_instance: { id: "1", name: "x", end_time: "2024-11-06T00:00:00Z" },
    };
    expect(reasonOf(payload)).to.equal(
      "Invalid JOB_END webhook body: job_instance.status is required; job_instance.counter is required.",
    );
  });

  it("renders JSON pointers as dotted paths", () => {
    expect(pathOf("/job_instance/counter/3/type/value")).to.equal("job_instance.counter[3].type.value");
    expect(pathOf("")).to.equal("");
    expect(pathOf("/a~1b/c~0d")).to.equal("a/b.c~d");
  });
});

describe("jobEndDate", () => {
  it("is the date part of end_time, with the separator asked for", () => {
    const job = { end_time: "2024-11-06T23:59:59.999-05:00" };
    expect(jobEndDate(job)).to.equal("2024-11-06");
    expect(jobEndDate(job, "")).to.equal("20241106");
  });
});

describe("parseWebhookBody reasons", () => {
  it("do not quote the body, so client bytes never reach the logs", () => {
    const reason = reasonOf('{"token": s3cr3t-value}');
    expect(reason).to.equal("The body is not valid JSON (Unexpected token 's').");
    expect(reason).not.to.contain("s3cr3t-value");
  });
});
