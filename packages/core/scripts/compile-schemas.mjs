#!/usr/bin/env node
// Compiles core's JSON Schemas (packages/core/schema-sources/*.schema.json, the one description of Alma's webhook
// bodies) ahead of time, never at a cold start:
//   - src/payload/step-validators.generated.ts: the validators routing calls, a step at a time, in decision
//     order (imported at cold start, so only those);
//   - src/payload/payload-validators.generated.ts: one whole-body validator per kind (validatePayload imports
//     it on its first call);
//   - src/payload/schema-types.generated.ts: the TypeScript types of the schemas that types.ts and kinds.ts
//     publish, exact (no index signature but the untyped WebhookPayload's), and the event names;
//   - src/payload/event-names.generated.ts: every action and `ACTION.EVENT` the schemas document (each kind's
//     `event.value` examples), which `on(...)` and the forward routes check names against;
//   - schemas/*.schema.json: the published schemas, one per kind, each standing alone for any JSON Schema
//     2020-12 validator in any language: the definitions it uses bundled into its own $defs, no project
//     keyword (x-problems, the words of core's 400 answers, stays in the sources), no union `type` (an
//     anyOf of one branch per type instead), so that plain ajv in strict mode compiles each file alone.
// ajv's standalone code needs no ajv at run time (checked below), so ajv stays a build-time dependency.
// The generated files are committed; `make lint` runs this script with --check and fails when one is stale.
// After changing a schema: make schemas (or node packages/core/scripts/compile-schemas.mjs).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import standalone from "ajv/dist/standalone/index.js";

const core = join(dirname(fileURLToPath(import.meta.url)), "..");
const root = join(core, "..", "..");
const SCHEMAS = join(core, "schema-sources");
const PUBLISHED = join(core, "schemas");
const BASE = "https://alma-webhooks.github.io/alma-webhooks/schemas/";

/** The validators the router calls in decision order, by export name. Each must map every failure to words. */
const STEPS = {
  jobEnd: "job-end.schema.json#/$defs/jobEnd",
  status: "job-end.schema.json#/$defs/status",
  counters: "job-end.schema.json#/$defs/counters",
  recordCount: "job-end.schema.json#/$defs/recordCount",
  endTime: "job-end.schema.json#/$defs/endTime",
  jobId: "job-end.schema.json#/$defs/jobId",
  fieldValue: "webhook.schema.json#/$defs/fieldValue",
};

/** The whole-body validators, by action (WEBHOOK: any other action). */
const KINDS = {
  WEBHOOK: "webhook.schema.json",
  JOB_END: "job-end.schema.json",
  LOAN: "loan.schema.json",
  REQUEST: "request.schema.json",
  USER: "user.schema.json",
  BIB: "bib.schema.json",
  ITEM: "item.schema.json",
  NOTIFICATION: "notification.schema.json",
};

/**
 * The TypeScript types, in the order written: a schema, the public name of its type (types.ts and kinds.ts
 * re-export it; a reference to the schema elsewhere uses that name) and its TSDoc example. Each is exact: a
 * field the schema does not name is a type error, except on `open` ones (the payload of an action no schema
 * describes). Type aliases, not interfaces: an exact object type stays assignable to the open WebhookPayload.
 */
const TYPES = [
  {
    ref: "webhook.schema.json",
    name: "WebhookPayload",
    open: true,
    example: 'if (payload.action === "JOB_END") console.log("a job ended");',
  },
  {
    ref: "webhook.schema.json#/$defs/almaCode",
    name: "AlmaCode",
    example: 'const status: AlmaCode = { value: "COMPLETED_SUCCESS", desc: "Completed Successfully" };',
  },
  {
    ref: "job-end.schema.json#/$defs/jobInstance",
    name: "JobInstance",
    example:
      "const job: JobInstance = payload.job_instance;\nconsole.log(job.name, job.status?.value, jobEndDate(job));",
  },
  {
    ref: "job-end.schema.json",
    name: "JobEndPayload",
    example:
      'webhooks.on("JOB_END", ({ payload }) => console.log(payload.job_instance.name, payload.job_instance.status?.value));',
  },
  {
    ref: "loan.schema.json",
    name: "LoanPayload",
    example:
      'buildExecution: (payload: LoanPayload) => ({ input: { loan: readField(payload, "item_loan.loan_id") }, name })',
  },
  {
    ref: "request.schema.json",
    name: "RequestPayload",
    example: 'const requestId = readField(payload, "user_request.request_id");',
  },
  {
    ref: "user.schema.json",
    name: "UserPayload",
    example: 'const primaryId = readField(payload, "webhook_user.user.primary_id");',
  },
  { ref: "bib.schema.json", name: "BibPayload", example: 'const mmsId = readField(payload, "bib.mms_id");' },
  {
    ref: "item.schema.json",
    name: "ItemPayload",
    example: 'const barcode = readField(payload, "item.item_data.barcode");',
  },
  {
    ref: "notification.schema.json",
    name: "NotificationPayload",
    example: 'const description = readField(payload, "notification.description");',
  },
];

const OUT = {
  steps: "src/payload/step-validators.generated.ts",
  payloads: "src/payload/payload-validators.generated.ts",
  types: "src/payload/schema-types.generated.ts",
  names: "src/payload/event-names.generated.ts",
};

const header = (what) =>
  `// Generated by packages/core/scripts/compile-schemas.mjs from packages/core/schema-sources (${what}): do not edit.\n` +
  "// After changing a schema: make schemas\n";

/** Every schema file, by file name. */
export function loadSchemas() {
  const files = readdirSync(SCHEMAS).filter((file) => file.endsWith(".schema.json"));
  return Object.fromEntries(
    files.sort().map((file) => [file, JSON.parse(readFileSync(join(SCHEMAS, file), "utf8"))]),
  );
}

/** `file#/pointer` (or a bare file) relative to `file`, resolved to its file, pointer and schema. */
function resolve(schemas, ref, file) {
  const [target, pointer = ""] = ref.split("#");
  const name = target === "" ? file : target;
  let node = schemas[name];
  if (node === undefined) throw new Error(`${file}: $ref ${ref}: no schema ${name}`);
  for (const part of pointer.split("/").slice(1)) {
    node = node[part.replace(/~1/g, "/").replace(/~0/g, "~")];
    if (node === undefined) throw new Error(`${file}: $ref ${ref} points at nothing`);
  }
  return { file: name, pointer, schema: node, key: pointer === "" ? name : `${name}#${pointer}` };
}

function newAjv(allErrors) {
  // verbose: each error carries the schema it failed (parentSchema) and so that schema's x-problems: the words
  // that core's 400 answers use. unicodeRegExp (the default) gives patterns JavaScript's \s and \d as they are.
  const ajv = new Ajv2020({
    strict: true,
    allowUnionTypes: true,
    allErrors,
    // The steps' errors are always put in words from x-problems: they need no message of ajv's.
    messages: allErrors,
    verbose: true,
    inlineRefs: false,
    logger: false,
    code: { source: true, esm: true, lines: true },
  });
  ajv.addKeyword({
    keyword: "x-problems",
    schemaType: "object",
    metaSchema: { type: "object", additionalProperties: { type: "string" } },
  });
  return ajv;
}

const DOCS = new Set(["$schema", "title", "description", "$comment"]);

/** A schema without its annotations for people: the generated code embeds the schemas its errors name. */
function withoutDocs(schema) {
  if (Array.isArray(schema)) return schema.map(withoutDocs);
  if (typeof schema !== "object" || schema === null) return schema;
  const strip = ([key, value]) => {
    // properties and $defs map names to schemas (a property may be called `description`); these two are data.
    if (key === "properties" || key === "$defs") {
      return [
        key,
        Object.fromEntries(Object.entries(value).map(([name, child]) => [name, withoutDocs(child)])),
      ];
    }
    return [key, key === "x-problems" || key === "const" ? value : withoutDocs(value)];
  };
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key]) => !DOCS.has(key))
      .map(strip),
  );
}

function compile(schemas, exports, allErrors) {
  const ajv = newAjv(allErrors);
  for (const schema of Object.values(schemas)) ajv.addSchema(withoutDocs(schema));
  const refs = Object.fromEntries(Object.entries(exports).map(([name, ref]) => [name, BASE + ref]));
  const code = (standalone.default ?? standalone)(ajv, refs);
  if (/\brequire\(/.test(code)) throw new Error("the generated validators need ajv at run time");
  return code;
}

// Keywords a step schema may use: each that can fail needs its words in x-problems (`required` for a missing
// property of that object, `null` for a null value where that reads differently from a wrong type).
const STEP_KEYWORDS = new Set(["$schema", "$id", "$defs", "$ref", "title", "description", "x-problems"]);
const FAILING = ["type", "pattern", "minimum", "maximum", "const", "required"];

/** Throws unless every way a step can fail has its words, so that no 400 answer ever reads like ajv. */
function checkStep(schemas, name, ref) {
  const seen = new Set();
  const visit = ({ file, schema, key }) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const keyword of Object.keys(schema)) {
      if (!STEP_KEYWORDS.has(keyword) && !FAILING.includes(keyword) && keyword !== "properties") {
        throw new Error(`step ${name}: ${key} uses '${keyword}', which no step may use (see FAILING)`);
      }
      if (FAILING.includes(keyword) && typeof schema["x-problems"]?.[keyword] !== "string") {
        throw new Error(`step ${name}: ${key} has no x-problems.${keyword}: what its 400 answer says`);
      }
    }
    if (schema.$ref !== undefined) visit(resolve(schemas, schema.$ref, file));
    for (const [property, child] of Object.entries(schema.properties ?? {})) {
      visit({ file, schema: child, key: `${key}/properties/${property}` });
    }
  };
  visit(resolve(schemas, ref, ref.split("#")[0]));
}

// ---- The published schemas: each kind's file standing alone, for plain JSON Schema validators. ----

/** Keywords that apply to one JSON type only: a union `type` is split into one anyOf branch per type. */
const KEYWORDS_OF_TYPE = {
  object: [
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "dependentRequired",
    "dependentSchemas",
  ],
  array: ["items", "prefixItems", "contains", "minItems", "maxItems", "uniqueItems"],
  string: ["pattern", "minLength", "maxLength", "format"],
  number: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
};
KEYWORDS_OF_TYPE.integer = KEYWORDS_OF_TYPE.number;
/** Keywords whose value maps names to schemas, and those whose value is a list of schemas. */
const SCHEMA_MAPS = new Set(["properties", "$defs", "patternProperties", "dependentSchemas"]);
const SCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
const SCHEMA_VALUES = new Set([
  "items",
  "not",
  "contains",
  "additionalProperties",
  "propertyNames",
  "if",
  "then",
  "else",
]);

/** Applies `fn` to every subschema of `schema` (bottom-up) and to `schema` itself. */
function mapSchema(schema, fn) {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (SCHEMA_MAPS.has(key)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, mapSchema(child, fn)]),
      );
    } else if (SCHEMA_LISTS.has(key)) out[key] = value.map((child) => mapSchema(child, fn));
    else if (SCHEMA_VALUES.has(key)) out[key] = mapSchema(value, fn);
    else out[key] = value;
  }
  return fn(out);
}

/** A schema for any validator: no x-problems, and a union `type` made an anyOf of one branch per type. */
function plain(schema) {
  const { "x-problems": _words, ...rest } = schema;
  if (!Array.isArray(rest.type)) return rest;
  const { type: types, ...others } = rest;
  const specific = new Set(types.flatMap((type) => KEYWORDS_OF_TYPE[type] ?? []));
  const common = Object.fromEntries(Object.entries(others).filter(([key]) => !specific.has(key)));
  const branches = types.map((type) => ({
    type,
    ...Object.fromEntries(
      Object.entries(others).filter(([key]) => (KEYWORDS_OF_TYPE[type] ?? []).includes(key)),
    ),
  }));
  if (common.anyOf !== undefined) throw new Error("a union type beside an anyOf cannot be split");
  return { ...common, anyOf: branches };
}

/**
 * The published form of one source schema: its own $defs, plus every definition of another file that it
 * reaches (that file's root as `$defs/<file name without .schema.json>`), each `$ref` rewritten to point
 * inside the file; then made plain (see {@link plain}).
 */
function bundle(schemas, file) {
  const defs = {};
  const rootName = (name) => name.replace(/\.schema\.json$/, "");
  const rewrite = (ref, from) => {
    const [target, pointer = ""] = ref.split("#");
    const name = target === "" ? from : target;
    if (name === file) return `#${pointer}`;
    const match = /^\/\$defs\/([^/]+)$/.exec(pointer);
    if (pointer === "") {
      include(name, rootName(name), schemas[name], true);
      return `#/$defs/${rootName(name)}`;
    }
    if (!match) throw new Error(`${from}: $ref ${ref}: only a file or one of its $defs can be bundled`);
    include(name, match[1], schemas[name].$defs[match[1]], false);
    return `#/$defs/${match[1]}`;
  };
  const rewritten = (schema, from) =>
    mapSchema(schema, (node) =>
      node.$ref === undefined ? node : { ...node, $ref: rewrite(node.$ref, from) },
    );
  function include(from, name, schema, isRoot) {
    if (schema === undefined) throw new Error(`${file}: nothing to bundle as ${name} from ${from}`);
    if (defs[name] !== undefined) {
      if (defs[name].from !== from) throw new Error(`${file}: two definitions named ${name}`);
      return;
    }
    defs[name] = { from, schema: {} };
    const { $schema: _s, $id: _i, $defs: _d, ...body } = isRoot ? schema : { ...schema };
    defs[name].schema = rewritten(body, from);
  }
  const { $defs: own = {}, ...root } = schemas[file];
  for (const [name, schema] of Object.entries(own))
    defs[name] = { from: file, schema: rewritten(schema, file) };
  const top = rewritten(root, file);
  const names = Object.keys(defs);
  const { $schema, $id, ...rest } = top;
  const bundled = {
    $schema,
    $id,
    $comment: `Made by packages/core/scripts/compile-schemas.mjs from packages/core/schema-sources/${file} (make schemas): edit that file, not this one.`,
    ...rest,
    ...(names.length > 0
      ? { $defs: Object.fromEntries(names.map((name) => [name, defs[name].schema])) }
      : {}),
  };
  return mapSchema(bundled, plain);
}

/** The published schemas, by file name, checked to compile alone in plain ajv (strict) as a reuser's would. */
function published(schemas) {
  const out = {};
  for (const file of Object.keys(schemas)) {
    const schema = bundle(schemas, file);
    try {
      new Ajv2020({ strict: true }).compile(schema);
    } catch (error) {
      throw new Error(`schemas/${file} does not compile alone in strict ajv: ${error.message}`);
    }
    out[file] = schema;
  }
  return out;
}

// ---- The TypeScript types ----

/** The kinds' `event.value` examples: the events each action documents, by action. */
function documentedEvents(schemas) {
  const events = {};
  for (const [action, file] of Object.entries(KINDS)) {
    if (action === "WEBHOOK") continue;
    const schema = schemas[file];
    const kind = action === "JOB_END" ? schema.$defs.jobEnd : schema;
    if (kind.properties?.action?.const !== action) throw new Error(`${file}: its action is not ${action}`);
    events[action] = schema.properties?.event?.properties?.value?.examples ?? [];
  }
  return events;
}

/** The event names: each action, then its `ACTION.EVENT`s, in the kinds' order. */
function eventNames(schemas) {
  return Object.entries(documentedEvents(schemas)).flatMap(([action, events]) => [
    action,
    ...events.map((event) => `${action}.${event}`),
  ]);
}

function namesModule(schemas) {
  const names = eventNames(schemas);
  const list = names.map((name) => `  "${name}",\n`).join("");
  const union = names.map((name) => `  | "${name}"\n`).join("");
  return `${header("the event names")}
/**
 * Every name \`on\` listens to: each Alma action (\`"LOAN"\`, \`"JOB_END"\`, …) and each \`ACTION.EVENT\` that
 * core's schemas document (each kind's \`event.value\` examples: \`"LOAN.LOAN_CREATED"\`, …). A misspelled name
 * is a type error, as it is refused at run time. For a name Alma adds later, use \`onUnchecked\`.
 *
 * @example
 * \`\`\`ts
 * const created: AlmaEventName = "LOAN.LOAN_CREATED";
 * // const typo: AlmaEventName = "LOAN.LOAN_CRATED"; // error TS2322
 * \`\`\`
 */
export type AlmaEventName =
${union.trimEnd()};

/**
 * Every {@link AlmaEventName}, at run time: what \`on(...)\` and the \`ALMA_FORWARD_<ROUTE>_EVENTS\` entries are
 * checked against.
 */
export const ALMA_EVENT_NAMES: readonly AlmaEventName[] = [
${list}];
`;
}

const ANNOTATIONS = new Set([
  "$schema",
  "$id",
  "$comment",
  "title",
  "description",
  "examples",
  "x-problems",
  "default",
]);
/** A schema that says nothing of a value's type (only words or examples): it leaves a base's type as it is. */
const annotationOnly = (schema) => Object.keys(schema).every((key) => ANNOTATIONS.has(key));
/**
 * A `$ref` whose siblings add no constraint of their own: annotations, or the type and properties its
 * target already has with only annotations on them (a kind's `event`, which lists its `value` examples).
 */
const onlyAnnotates = (schema) =>
  Object.entries(schema).every(
    ([key, value]) =>
      key === "$ref" ||
      key === "type" ||
      ANNOTATIONS.has(key) ||
      (key === "properties" && Object.values(value).every(annotationOnly)),
  );

// TypeScript: the subset of JSON Schema that core's schemas use, every property readonly, each object exact
// (its named properties, with those of its $ref and allOf) except the open types (`open` in TYPES).
function typeWriter(schemas) {
  const named = new Map(TYPES.map((type) => [resolve(schemas, type.ref, "").key, type]));
  const typeName = (key) => named.get(key).name;
  const comment = (text, pad) => {
    if (!text) return "";
    const words = text.replace(/\*\//g, "*\\/").split(" ");
    const lines = [];
    for (const word of words) {
      const last = lines.length - 1;
      if (last >= 0 && `${pad} * ${lines[last]} ${word}`.length <= 110) lines[last] += ` ${word}`;
      else lines.push(word);
    }
    if (lines.length === 1 && `${pad}/** ${lines[0]} */`.length <= 110) return `${pad}/** ${lines[0]} */\n`;
    return `${pad}/**\n${lines.map((line) => `${pad} * ${line}\n`).join("")}${pad} */\n`;
  };

  /** The description to show for a property: the first along its $ref chain, up to a named type. */
  const describe = (schema, file) => {
    if (schema.description || schema.$ref === undefined) return schema.description;
    const target = resolve(schemas, schema.$ref, file);
    return named.has(target.key) ? undefined : describe(target.schema, target.file);
  };

  /** The JSON types a schema allows, its $ref's when it names none. */
  const typesOf = (schema, file) => {
    if (schema.type !== undefined) return [schema.type].flat();
    if (schema.$ref !== undefined) {
      const target = resolve(schemas, schema.$ref, file);
      return typesOf(target.schema, target.file);
    }
    if ((schema.allOf ?? []).length > 0) return typesOf(schema.allOf[0], file);
    return [];
  };

  /**
   * An object schema's properties, with those of its $ref and allOf (its own last, so that they win, unless
   * they only annotate), and which are required (a base's stay required).
   */
  const shapeOf = (schema, file) => {
    const properties = new Map();
    const required = new Set(schema.required ?? []);
    const bases = [schema.$ref, ...(schema.allOf ?? []).map((part) => part.$ref)].filter(Boolean);
    for (const ref of bases) {
      const target = resolve(schemas, ref, file);
      const base = shapeOf(target.schema, target.file);
      for (const [name, entry] of base.properties) properties.set(name, entry);
      for (const name of base.required) required.add(name);
    }
    for (const part of schema.allOf ?? []) {
      if (Object.keys(part).length !== 1 || part.$ref === undefined)
        throw new Error(`${file}: allOf of $refs only`);
    }
    for (const [name, child] of Object.entries(schema.properties ?? {})) {
      const base = properties.get(name);
      if (base !== undefined && annotationOnly(child)) continue;
      properties.set(name, { schema: child, file });
    }
    return { properties, required };
  };

  const members = (shape, pad, open) => {
    const lines = [...shape.properties].map(
      ([property, { schema: child, file }]) =>
        `${comment(describe(child, file), pad)}${pad}readonly ${property}${shape.required.has(property) ? "" : "?"}: ${expression(child, file, pad)};\n`,
    );
    if (open) lines.push(`${pad}readonly [field: string]: unknown;\n`);
    return lines.join("");
  };

  function expression(schema, file, pad) {
    if (schema.$ref !== undefined && onlyAnnotates(schema)) {
      const target = resolve(schemas, schema.$ref, file);
      if (named.has(target.key)) return typeName(target.key);
      return expression(target.schema, target.file, pad);
    }
    if ("const" in schema) return JSON.stringify(schema.const);
    const types = typesOf(schema, file);
    if (types.length === 0) return "unknown";
    const shape = types.includes("object") ? shapeOf(schema, file) : undefined;
    const items = () => {
      if (schema.items !== undefined) return expression(schema.items, file, pad);
      if (schema.$ref !== undefined) {
        const target = resolve(schemas, schema.$ref, file);
        if (target.schema.items !== undefined) return expression(target.schema.items, target.file, pad);
      }
      return "unknown";
    };
    // A value that is an object or a bare string (an XML code without `desc`): the string is given the
    // object's properties as undefined, so that `status?.value` reads the value of either.
    const absent = shape
      ? ` & { ${[...shape.properties.keys()].map((name) => `readonly ${name}?: undefined;`).join(" ")} }`
      : "";
    return [...new Set(types.map((type) => (type === "integer" ? "number" : type)))]
      .map((type) => {
        if (type === "object") return `{\n${members(shape, `${pad}  `, false)}${pad}}`;
        if (type === "array") return `readonly (${items()})[]`;
        const primitive = { string: "string", number: "number", boolean: "boolean", null: "null" }[type];
        return shape && types.length > 1 && primitive !== "null" ? `(${primitive}${absent})` : primitive;
      })
      .join(" | ");
  }

  return function write() {
    const declarations = TYPES.map((type) => {
      const { schema, file, key } = resolve(schemas, type.ref, "");
      if (schema.type !== "object") throw new Error(`${key}: a named type must be an object schema`);
      const exact = type.open
        ? ""
        : " The type is exact: a field the schema does not name is a type error (read one with readField).";
      const example = ` * @example\n * \`\`\`ts\n${type.example
        .split("\n")
        .map((line) => ` * ${line}\n`)
        .join("")} * \`\`\`\n */\n`;
      const doc = comment(`${schema.description}${exact} (schemas/${key})`, "").replace(/ \*\/\n$/, "");
      const opened = doc.startsWith("/**\n") ? doc : `/**\n * ${doc.slice(4)}\n`;
      return `${opened} *\n${example}export type ${type.name} = {\n${members(shapeOf(schema, file), "  ", type.open === true)}};\n`;
    });
    const events = documentedEvents(schemas);
    const eventTypes = Object.entries(events)
      .filter(([, list]) => list.length > 0)
      .map(
        ([action, list]) =>
          `  readonly ${action}: ${list.map((event) => JSON.stringify(event)).join(" | ")};\n`,
      )
      .join("");
    return `${header("the types")}\n${declarations.join("\n")}
/** The \`event.value\`s each kind's schema documents (its \`examples\`), by action. */
export type DocumentedEvents = {
${eventTypes}};
`;
  };
}

/** JSON as the project's formatter writes it (make lint checks the published schemas with it too). */
function formatJson(file, value) {
  const biome = join(root, "node_modules", ".bin", "biome");
  return execFileSync(biome, ["format", `--stdin-file-path=${join(PUBLISHED, file)}`], {
    input: `${JSON.stringify(value, null, 2)}\n`,
    encoding: "utf8",
  });
}

/** Every generated module: its path under packages/core and its text. */
export function render() {
  const schemas = loadSchemas();
  for (const [name, ref] of Object.entries(STEPS)) checkStep(schemas, name, ref);
  for (const [file, schema] of Object.entries(schemas)) {
    if (schema.$id !== BASE + file) throw new Error(`${file}: $id must be ${BASE + file}`);
  }
  const nocheck = "// @ts-nocheck\n";
  return {
    [OUT.steps]: `${nocheck}${header("the routing steps")}${compile(schemas, STEPS, false)}\n`,
    [OUT.payloads]: `${nocheck}${header("whole bodies, by action")}${compile(schemas, KINDS, true)}\n`,
    [OUT.types]: typeWriter(schemas)(),
    [OUT.names]: namesModule(schemas),
    ...Object.fromEntries(
      Object.entries(published(schemas)).map(([file, schema]) => [
        `schemas/${file}`,
        formatJson(file, schema),
      ]),
    ),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const check = process.argv.includes("--check");
  const stale = [];
  for (const [path, text] of Object.entries(render())) {
    const file = join(core, path);
    let current;
    try {
      current = readFileSync(file, "utf8");
    } catch {
      current = undefined;
    }
    if (current === text) continue;
    if (check) stale.push(relative(root, file));
    else {
      writeFileSync(file, text);
      console.log(`wrote ${relative(root, file)}`);
    }
  }
  if (stale.length > 0) {
    console.error(`Stale, regenerate with \`make schemas\` and commit: ${stale.join(", ")}`);
    process.exit(1);
  }
}
