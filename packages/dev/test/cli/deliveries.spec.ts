import { expect } from "chai";
import {
  type DeliveryQuery,
  type DeliveryRecord,
  deliveriesCommand,
  formatDelivery,
  sinceOf,
} from "../../src/cli/deliveries.js";
import type { CliIo } from "../../src/cli/io.js";

const record: DeliveryRecord = {
  receivedAt: "2026-12-06T12:00:00.000Z",
  action: "LOAN",
  event: "LOAN_CREATED",
  identity: "20241106T150000-abc",
  outcome: "handled",
  status: 200,
  failed: false,
  plugins: [{ plugin: "CIRCULATION", decision: "started", forwarded: true }],
};

function io(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    stdin: async () => Buffer.alloc(0),
    env,
    cwd: process.cwd(),
  };
  return { io: value, out, err };
}

describe("alma-webhook deliveries", () => {
  it("prints one line per webhook, oldest first, from the table it is given", async () => {
    const queries: [string, DeliveryQuery][] = [];
    const { io: cli, out } = io({ ALMA_IDEMPOTENCY_TABLE: "from-env" });
    const later = {
      ...record,
      receivedAt: "2026-12-06T13:00:00.000Z",
      status: 500,
      failed: true,
      plugins: [
        { plugin: "PPOD", decision: "failed", transient: false, error: "StateMachineDoesNotExist: x" },
      ],
    };
    const code = await deliveriesCommand(["--failed", "--since", "2h"], cli, (table) => ({
      describe: table,
      read: async (query) => {
        queries.push([table, query]);
        return [later, record];
      },
    }));
    expect(code).to.equal(0);
    expect(queries[0]?.[0]).to.equal("from-env");
    expect(queries[0]?.[1].failedOnly).to.equal(true);
    expect(out).to.deep.equal([
      "2026-12-06T12:00:00.000Z  200  LOAN LOAN_CREATED  20241106T150000-abc  CIRCULATION forwarded\n",
      "2026-12-06T13:00:00.000Z  500  LOAN LOAN_CREATED  20241106T150000-abc  PPOD failed: StateMachineDoesNotExist: x\n",
    ]);
  });

  it("says which table to read when none is given, and refuses an unreadable --since", async () => {
    const { io: cli } = io();
    await deliveriesCommand([], cli).then(
      () => expect.fail("resolved"),
      (error: Error) => expect(error.message).to.include("--table NAME or ALMA_IDEMPOTENCY_TABLE"),
    );
    expect(() => sinceOf("yesterday", 0)).to.throw("--since takes a duration");
    expect(sinceOf("24h", Date.parse("2026-12-06T12:00:00Z"))).to.equal("2026-12-05T12:00:00.000Z");
    expect(sinceOf("2026-12-01", 0)).to.equal("2026-12-01T00:00:00.000Z");
  });

  it("words each fate: a job, a duplicate, a refusal, a decline", () => {
    const job = { ...record, action: "JOB_END", jobName: "Export Dev1", event: undefined } as DeliveryRecord;
    expect(
      formatDelivery({
        ...job,
        plugins: [
          { plugin: "PPOD", decision: "duplicate" },
          { plugin: "JOBS", decision: "duplicate", forwarded: true },
          { plugin: "BIG", decision: "too-large", size: 2, limit: 1 },
          { plugin: "X", decision: "declined", reason: "no" },
          { plugin: "Y", decision: "zero-records" },
        ],
      }),
    ).to.equal(
      "2026-12-06T12:00:00.000Z  200  JOB_END 'Export Dev1'  20241106T150000-abc  PPOD duplicate; JOBS duplicate (already forwarded); BIG too large: 2 > 1 bytes; X declined: no; Y zero-records",
    );
    expect(formatDelivery({ ...record, plugins: [], outcome: "not-job-end" })).to.match(/ not-job-end$/);
  });

  it("names why a webhook was not delivered, and that its bytes are kept (issue 31)", () => {
    expect(
      formatDelivery({
        ...record,
        status: 400,
        failed: true,
        plugins: [],
        outcome: "invalid-body",
        notDelivered: "invalid-body",
        keptAs: "undelivered/20241106T150000-abc.json",
      }),
    ).to.equal(
      "2026-12-06T12:00:00.000Z  400  LOAN LOAN_CREATED  20241106T150000-abc  invalid-body  not delivered: invalid-body, kept (redeliver it by its id)",
    );
  });
});
