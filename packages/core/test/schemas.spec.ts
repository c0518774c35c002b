import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { expect } from "chai";
import fc from "fast-check";
import { jobEndDate, validatePayload } from "../src/index.js";
import { DATE_TIME } from "../src/payload/job-end.js";
import * as compiled from "../src/payload/payload-validators.generated.js";
import { parseXmlBody } from "../src/payload/xml.js";
import {
  almaEventPayload,
  failedJobEndPayload,
  jobEndPayload,
  legacyJobEndPayload,
  otherActionPayload,
  toAlmaXml,
} from "../src/testing/index.js";
import { ALMA_BODIES } from "./fixtures/alma-bodies.js";

type Schema = Record<string, unknown> & { $defs?: Record<string, Record<string, unknown>> };

const schemasDir = new URL("../../schemas/", import.meta.url);
const sourcesDir = new URL("../../schema-sources/", import.meta.url);
const FILES = readdirSync(schemasDir).filter((file) => file.endsWith(".schema.json"));
/** A published schema (standing alone, for any validator). */
const schemaOf = (file: string): Schema =>
  JSON.parse(readFileSync(new URL(file, schemasDir), "utf8")) as Schema;
/** A schema's source, with the words of core's 400 answers (x-problems). */
const sourceOf = (file: string): Schema =>
  JSON.parse(readFileSync(new URL(file, sourcesDir), "utf8")) as Schema;
const BASE = "https://alma-webhooks.github.io/alma-webhooks/schemas/";
const KINDS: Readonly<Record<string, string>> = {
  JOB_END: "job-end.schema.json",
  LOAN: "loan.schema.json",
  REQUEST: "request.schema.json",
  USER: "user.schema.json",
  BIB: "bib.schema.json",
  ITEM: "item.schema.json",
  NOTIFICATION: "notification.schema.json",
};

/**
 * The published schema files compiled afresh, each alone, by plain ajv in strict mode (no option, no keyword
 * added), as another project would.
 */
function freshValidators() {
  const validators = new Map(
    FILES.map((file) => [file, new Ajv2020({ strict: true }).compile(schemaOf(file))]),
  );
  return (file: string) => validators.get(file) ?? expect.fail(`${file} did not compile`);
}

/** Every body of the testing kit and of the real-shaped fixtures, in JSON and as read from its XML form. */
async function knownBodies(): Promise<[string, unknown][]> {
  const bodies: [string, unknown][] = [
    ...Object.entries(ALMA_BODIES),
    ["jobEndPayload()", jobEndPayload()],
    ["legacyJobEndPayload()", legacyJobEndPayload()],
    ["failedJobEndPayload()", failedJobEndPayload()],
    ["otherActionPayload()", otherActionPayload()],
    ...["LOAN", "REQUEST", "USER", "BIB", "ITEM", "NOTIFICATION", "OTHER"].map((kind): [string, unknown] => [
      kind,
      almaEventPayload(kind),
    ]),
  ];
  const pairs = await Promise.all(
    bodies.map(async ([name, body]): Promise<[string, unknown][]> => {
      const xml = await parseXmlBody(Buffer.from(toAlmaXml(body as Record<string, unknown>)));
      if (!xml.ok) throw new Error(`${name}: ${xml.reason}`);
      return [
        [name, body],
        [`${name} in XML`, xml.payload],
      ];
    }),
  );
  return pairs.flat();
}

describe("core's JSON Schemas (packages/core/schemas)", () => {
  it("are draft 2020-12 schemas, each with its $id, a title and a description, one per kind", () => {
    expect(FILES).to.have.members([...Object.values(KINDS), "webhook.schema.json"]);
    for (const file of FILES) {
      const schema = schemaOf(file);
      expect(schema.$schema, file).to.equal("https://json-schema.org/draft/2020-12/schema");
      expect(schema.$id, file).to.equal(BASE + file);
      expect(schema.title, file).to.be.a("string");
      expect(schema.description, file).to.be.a("string");
    }
    // Each kind's schema requires its action (JOB_END's through its first step, jobEnd); the source says
    // how core's answers word it, the published file is plain.
    for (const [kind, file] of Object.entries(KINDS)) {
      for (const [schema, action] of [
        [sourceOf(file), { const: kind, "x-problems": { const: `must be ${kind}` } }],
        [schemaOf(file), { const: kind }],
      ] as const) {
        const withAction = kind === "JOB_END" ? schema.$defs?.jobEnd : schema;
        expect(withAction?.properties, file).to.deep.include({ action });
      }
    }
  });

  it("accept every body Alma sends, of every kind, in JSON and in XML", async () => {
    const validator = freshValidators();
    for (const [name, body] of await knownBodies()) {
      const result = await validatePayload(body);
      expect(result, name).to.deep.equal({ valid: true, payload: body });
      const action = (body as { action: string }).action;
      expect(validator(KINDS[action] ?? "webhook.schema.json")(body), name).to.equal(true);
    }
  });

  it("answer as their compiled validators do, whatever the body", () => {
    const validator = freshValidators();
    const field = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom(null, "", " ", "x", 7, 1.5, [], {}),
    );
    const job = fc.oneof(
      field,
      fc.record(
        {
          name: field,
          id: field,
          status: fc.oneof(field, fc.record({ value: field, desc: field }, { requiredKeys: [] })),
          end_time: fc.oneof(field, fc.constantFrom("2024-11-06", "2024-11-06T14:43:10.585Z", "2024-13-45")),
          counter: fc.oneof(field, fc.array(fc.oneof(field, fc.record({ type: field, value: field })))),
          progress: field,
        },
        { requiredKeys: [] },
      ),
    );
    const body = fc.record(
      {
        action: fc.oneof(fc.constantFrom(...Object.keys(KINDS), "OTHER"), field),
        id: field,
        institution: fc.oneof(field, fc.record({ value: field, desc: field }, { requiredKeys: [] })),
        time: field,
        event: field,
        job_instance: job,
        item_loan: fc.oneof(field, fc.record({ loan_id: field, title: field }, { requiredKeys: [] })),
        webhook_user: fc.oneof(field, fc.record({ user: fc.oneof(field, fc.record({ primary_id: field })) })),
        item: fc.oneof(field, fc.record({ item_data: fc.oneof(field, fc.record({ barcode: field })) })),
      },
      { requiredKeys: [] },
    );
    const generated = compiled as unknown as Record<string, (data: unknown) => boolean>;
    fc.assert(
      fc.property(body, (data) => {
        const action =
          typeof data.action === "string" && Object.hasOwn(KINDS, data.action) ? data.action : "WEBHOOK";
        const file = KINDS[action] ?? "webhook.schema.json";
        expect(generated[action]?.(data)).to.equal(validator(file)(data));
      }),
      { numRuns: 1000 },
    );
  });

  it("name every problem of a body in the words of core's 400 answers", async () => {
    const valid = jobEndPayload();
    const body = {
      ...valid,
      institution: "01MIT_INST",
      job_instance: {
        ...valid.job_instance,
        id: "",
        status: { desc: "x" },
        end_time: "06/11/2024",
        counter: {},
      },
    };
    expect(await validatePayload(body)).to.deep.equal({
      valid: false,
      problems: [
        "institution must be an object with a 'value'.",
        "job_instance.id must be a non-empty string.",
        "job_instance.end_time must be a date (2024-11-06) or an ISO 8601 date-time (2024-11-06T14:43:10.585Z).",
        "job_instance.status.value must be a non-empty string.",
        "job_instance.counter must be an array.",
      ],
    });
    expect(await validatePayload({ action: "JOB_END" })).to.deep.equal({
      valid: false,
      problems: ["job_instance is required."],
    });
    expect(await validatePayload({ action: "LOAN", item_loan: { loan_id: 7 }, event: null })).to.deep.equal({
      valid: false,
      problems: ["event must be an object with a 'value'.", "item_loan.loan_id must be a string."],
    });
    expect(await validatePayload([])).to.deep.equal({
      valid: false,
      problems: ["body must be a JSON object with an 'action'."],
    });
    expect(await validatePayload({ id: "1" })).to.deep.equal({
      valid: false,
      problems: ["action is required."],
    });
  });

  it("keep end_time's pattern and its words in step with the code that reads its parts", () => {
    const endTime = sourceOf("job-end.schema.json").$defs?.endTime as {
      pattern: string;
      "x-problems": { pattern: string };
    };
    expect(DATE_TIME.source).to.equal(endTime.pattern);
    expect(() => jobEndDate({ name: "x", end_time: "2023-02-29" })).to.throw(
      `job_instance.end_time is not a real calendar date: ${endTime["x-problems"].pattern}.`,
    );
  });

  it("are compiled to code that imports nothing: ajv is needed only to build", () => {
    for (const module of ["step-validators", "payload-validators"]) {
      const code = readFileSync(
        fileURLToPath(new URL(`../src/payload/${module}.generated.js`, import.meta.url)),
        "utf8",
      );
      expect(code, module).not.to.match(/\bimport\b|\brequire\(/);
    }
  });

  it("are published with the package, under @alma-webhooks/core/schemas/*", () => {
    const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      files: string[];
      exports: Record<string, unknown>;
    };
    expect(manifest.files).to.include("schemas");
    expect(manifest.exports["./schemas/*"]).to.equal("./schemas/*");
    for (const file of FILES) {
      expect(fileURLToPath(import.meta.resolve(`@alma-webhooks/core/schemas/${file}`))).to.equal(
        fileURLToPath(new URL(file, schemasDir)),
      );
    }
  });
});
