import { InvalidPayloadError } from "../errors.js";

/**
 * One failure that a validator compiled from core's schemas reports: ajv's error, verbose, so that it carries
 * the schema it failed and the value it failed on.
 */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: { readonly missingProperty?: string; readonly type?: string | readonly string[] };
  readonly parentSchema?: { readonly "x-problems"?: Readonly<Record<string, string>> };
  readonly data?: unknown;
  readonly message?: string;
}

/** A schema compiled by ajv when the package was built: true, or false with what failed in `errors`. */
export interface CompiledValidator {
  (data: unknown): boolean;
  readonly errors?: readonly SchemaError[] | null;
}

/**
 * The field an error is about, by its dotted path from `base` (`job_instance.counter[3].value`): the value's
 * own path, or, for a missing property, the property's. `root` is the value validated, to tell list
 * entries from object keys.
 */
function fieldOf(base: string, error: SchemaError, root: unknown): string {
  const parts = error.instancePath === "" ? [] : error.instancePath.slice(1).split("/");
  let field = base;
  let node = root;
  for (const part of parts.map((raw) => raw.replace(/~1/g, "/").replace(/~0/g, "~"))) {
    field = Array.isArray(node) ? `${field}[${part}]` : field === "" ? part : `${field}.${part}`;
    node = (node as Record<string, unknown> | undefined)?.[part];
  }
  const missing = error.keyword === "required" ? error.params.missingProperty : undefined;
  if (missing !== undefined) field = field === "" ? missing : `${field}.${missing}`;
  return field === "" ? "body" : field;
}

const A_TYPE: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  object: "an object",
  array: "a list",
  null: "null",
};

/**
 * What an error says, in the words of the schema it failed (`x-problems`, by the keyword that failed; `null`
 * for a value that is null or absent, where that reads otherwise than a wrong type), else in plain words for
 * a wrong type, else in ajv's.
 */
function problemOf(error: SchemaError): string {
  const words = error.parentSchema?.["x-problems"];
  const absent = error.keyword === "type" && (error.data === null || error.data === undefined);
  const chosen = (absent ? words?.null : undefined) ?? words?.[error.keyword];
  if (chosen !== undefined) return chosen;
  const types = [error.params.type ?? []].flat();
  if (error.keyword === "type" && types.length > 0) {
    return `must be ${types.map((type) => A_TYPE[type] ?? type).join(" or ")}`;
  }
  return error.message ?? "is invalid";
}

/** The field and the words of each failure a validator reported, in the order found. */
export function refusalsOf(
  validate: CompiledValidator,
  value: unknown,
  field: string,
): { readonly field: string; readonly problem: string }[] {
  return (validate.errors ?? []).map((error) => ({
    field: fieldOf(field, error, value),
    problem: problemOf(error),
  }));
}

/**
 * Checks `value`, the body's field `field`, with a step's validator; a failure becomes the 400 answer that
 * names the field (then `note`, when given, before the words). Every way a step can fail has its words in
 * the schema (compile-schemas.mjs checks it).
 */
export function check(validate: CompiledValidator, value: unknown, field: string, note?: string): void {
  if (validate(value)) return;
  const [first] = refusalsOf(validate, value, field);
  const problem = first?.problem ?? "is invalid";
  throw new InvalidPayloadError(first?.field ?? field, note === undefined ? problem : `${note} ${problem}`);
}
