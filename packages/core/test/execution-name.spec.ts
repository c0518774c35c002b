import { expect } from "chai";
import { contentHash, executionName as nameOf, webhookIdentity } from "../src/execution-name.js";

const EXECUTION_NAME_MAX_LENGTH = 80;
const BODY = Buffer.from('{"action":"JOB_END"}');
const executionName = (prefix: string, job: Record<string, unknown>, body = BODY): string =>
  nameOf(prefix, { name: "a job", ...job }, body);

const RULE = /^[0-9A-Za-z_-]{1,80}$/;
const job = { id: "6219373120004761", end_time: "2024-11-06T14:43:10.585Z" } as Record<string, unknown> & {
  id: string;
};

describe("executionName", () => {
  it("joins prefix, compact end time and job id", () => {
    expect(executionName("ppod-upload", job)).to.equal("ppod-upload-20241106T144310-6219373120004761");
  });

  it("accepts a prefix given with its trailing dash", () => {
    expect(executionName("bursar-", job)).to.equal(executionName("bursar", job));
  });

  it("is the same for the same job, whatever the clock", () => {
    expect(executionName("x", { ...job })).to.equal(executionName("x", job));
  });

  it("differs for another job id or another end time", () => {
    expect(executionName("x", { ...job, id: "6219373120004762" })).not.to.equal(executionName("x", job));
    expect(executionName("x", { ...job, end_time: "2024-11-07T14:43:10Z" })).not.to.equal(
      executionName("x", job),
    );
  });

  it("hashes ids with characters Step Functions refuses, keeping distinct ids distinct", () => {
    const a = executionName("bursar", { ...job, id: "a.b" });
    const b = executionName("bursar", { ...job, id: "a_b" });
    expect(a).to.match(RULE);
    expect(a).not.to.equal(b);
    expect(a).to.match(/^bursar-20241106T144310-[0-9A-Za-z_-]{22}$/);
  });

  it("stays within 80 characters for very long ids and prefixes, and stays distinct", () => {
    const long = "9".repeat(200);
    const names = [
      executionName("alma-supercalifragilisticexpialidocious-ingest", { ...job, id: long }),
      executionName("alma-supercalifragilisticexpialidocious-ingest", { ...job, id: `${long}8` }),
      executionName("p".repeat(300), job),
    ];
    for (const name of names) {
      expect(name).to.match(RULE);
      expect(name.length).to.be.at.most(EXECUTION_NAME_MAX_LENGTH);
    }
    expect(names[0]).not.to.equal(names[1]);
  });

  it("keeps the plain form up to exactly 80 characters", () => {
    const prefix = "p".repeat(80 - "-20241106T144310-".length - job.id.length);
    const name = executionName(prefix, job);
    expect(name).to.have.length(80);
    expect(name.endsWith(job.id)).to.equal(true);
    expect(executionName(`${prefix}p`, job)).to.match(/^p+-20241106T144310-[0-9A-Za-z_-]{22}$/);
  });

  it("replaces characters a prefix may not carry and hashes to stay unique", () => {
    const name = executionName("alma run", job);
    expect(name).to.match(RULE);
    expect(name.startsWith("alma_run-20241106T144310-")).to.equal(true);
    expect(name).not.to.equal(executionName("alma_run", job));
  });

  it("tolerates an end time without seconds or an unparseable one", () => {
    expect(executionName("x", { ...job, end_time: "2024-11-06T14:43Z" })).to.equal(
      "x-20241106T144300-6219373120004761",
    );
    expect(executionName("x", { ...job, end_time: "garbage" })).to.equal("x-notime-6219373120004761");
  });

  it("names a job without an id by a hash of the body's bytes: the same bytes, the same name", () => {
    const { id: _id, ...withoutId } = job;
    const first = executionName("ppod-upload", withoutId, Buffer.from("body one"));
    expect(first).to.match(/^ppod-upload-20241106T144310-[0-9A-Za-z_-]{22}$/);
    expect(executionName("ppod-upload", withoutId, Buffer.from("body one"))).to.equal(first);
    expect(executionName("ppod-upload", withoutId, Buffer.from("body two"))).not.to.equal(first);
  });

  it("takes the date of a date-only end time", () => {
    expect(executionName("x", { ...job, end_time: "2023-08-15" })).to.equal(
      "x-20230815T000000-6219373120004761",
    );
  });
});

describe("webhookIdentity and contentHash", () => {
  const loan = {
    id: "1",
    action: "LOAN",
    time: "2024-11-06T15:00:00.000Z",
    event: { value: "LOAN_CREATED" },
    item_loan: { renewable: true, note: null },
  };

  it("is the job run for a JOB_END, as the execution names", () => {
    expect(webhookIdentity({ action: "JOB_END" }, { name: "j", ...job })).to.equal(
      "20241106T144310-6219373120004761",
    );
    expect(webhookIdentity({ action: "JOB_END" }, { name: "j" })).to.equal("notime-noid");
  });

  it("is the time and a hash of the content for every other kind", () => {
    expect(webhookIdentity(loan)).to.match(/^20241106T150000-[0-9A-Za-z_-]{22}$/);
    expect(webhookIdentity({ ...loan, time: "x" })).to.match(/^notime-/);
  });

  it("differs in event, record, time or content, and not in key order, nulls or scalar types", () => {
    const base = contentHash(loan);
    expect(contentHash({ ...loan, event: { value: "LOAN_RETURNED" } })).not.to.equal(base);
    expect(contentHash({ ...loan, id: "2" })).not.to.equal(base);
    expect(contentHash({ ...loan, time: "2024-11-06T15:00:01.000Z" })).not.to.equal(base);
    expect(contentHash({ ...loan, list: [1, 2] })).not.to.equal(contentHash({ ...loan, list: [2, 1] }));
    const reordered = {
      item_loan: { renewable: "true" },
      event: { value: "LOAN_CREATED" },
      time: loan.time,
      action: "LOAN",
      id: "1",
    };
    expect(contentHash(reordered)).to.equal(base);
  });
});
