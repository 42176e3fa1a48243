/**
 * JSON Schema through ajv: the user's `output_format.json_schema` is checked
 * against its draft's meta-schema and compiled in strict mode, so a misspelt
 * or unknown keyword is a config error instead of a check that never runs;
 * the scorer then asks ajv about the parts of the schema it does not score
 * itself (anyOf, $ref, format, ...).
 */
import Ajv2019 from "ajv/dist/2019.js";
import Ajv2020 from "ajv/dist/2020.js";
import Ajv, { type AnySchemaObject, type ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import { errorMessage } from "../errors.js";

type AjvInstance = Ajv | Ajv2019 | Ajv2020;

const OPTIONS = {
  strict: true,
  // Type-free keywords (`{format: "email"}`) and draft-07 tuples are valid JSON Schema, not mistakes.
  strictTypes: false,
  strictTuples: false,
  // `{type: object, required: [verdict]}` without listing verdict's properties is a complete, common schema.
  strictRequired: false,
  allowUnionTypes: true,
  allErrors: true,
  logger: false,
} as const;

/** By `$schema`; a schema without one is read as the current draft, 2020-12. */
const DRAFTS: Record<string, () => AjvInstance> = {
  "https://json-schema.org/draft/2020-12/schema": () => new Ajv2020(OPTIONS),
  "https://json-schema.org/draft/2019-09/schema": () => new Ajv2019(OPTIONS),
  "http://json-schema.org/draft-07/schema": () => new Ajv(OPTIONS),
};

/** ajv resolves `$ref`s and pointers against an absolute id; a schema without `$id` gets this one. */
const DEFAULT_ID = "https://opik-evaluate.invalid/output-format.json";

export interface CompiledJsonSchema {
  /** Problems of `value` against the subschema at `pointer` (a JSON pointer, "" for the root); empty when it passes. */
  problemsAt(pointer: string, value: unknown): string[];
}

/** The schema's own `$id` when it is absolute (other schemas' `$ref`s may use it), else ours. */
function idOf(schema: AnySchemaObject): string {
  return typeof schema.$id === "string" && URL.canParse(schema.$id) ? schema.$id.replace(/#$/, "") : DEFAULT_ID;
}

function ajvFor(schema: AnySchemaObject): AjvInstance | string {
  const declared = typeof schema.$schema === "string" ? schema.$schema.replace(/#$/, "") : "https://json-schema.org/draft/2020-12/schema";
  const create = DRAFTS[declared];
  if (!create)
    return `json_schema.$schema: ${JSON.stringify(schema.$schema)} is not a supported draft (expected one of ${Object.keys(DRAFTS).join(", ")}, or none for 2020-12)`;
  const ajv = create();
  addFormats(ajv);
  return ajv;
}

/** `/properties/a/0` → `json_schema.properties.a.0`, the path style of the other config problems. */
function keyPath(pointer: string): string {
  return [
    "json_schema",
    ...pointer
      .split("/")
      .slice(1)
      .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~")),
  ].join(".");
}

/** Problems with the schema itself: its draft's meta-schema, then strict compilation (unknown keywords and formats, bad patterns). */
export function jsonSchemaProblems(schema: AnySchemaObject): string[] {
  const ajv = ajvFor(schema);
  if (typeof ajv === "string") return [ajv];
  if (!ajv.validateSchema(schema)) {
    return (ajv.errors ?? []).map((error) => `${keyPath(error.instancePath)}: ${error.message ?? "is not valid JSON Schema"}${describeParams(error)}`);
  }
  try {
    ajv.compile({ ...schema, $id: idOf(schema) });
    return [];
  } catch (error) {
    return [`json_schema: ${errorMessage(error).replace(/^strict mode: /, "")} (only JSON Schema keywords and formats are checked; remove or correct it)`];
  }
}

function describeParams(error: ErrorObject): string {
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  return Array.isArray(allowed) ? ` (${allowed.map((value) => JSON.stringify(value)).join(", ")})` : "";
}

/** Compiles a schema that jsonSchemaProblems accepted; subschemas are compiled on first use. */
export function compileJsonSchema(schema: AnySchemaObject): CompiledJsonSchema {
  const ajv = ajvFor(schema);
  if (typeof ajv === "string") throw new Error(ajv);
  const id = idOf(schema);
  ajv.addSchema({ ...schema, $id: id });
  return {
    problemsAt(pointer, value) {
      const validate = ajv.getSchema(`${id}#${pointer.split("/").map(encodeURIComponent).join("/")}`);
      if (!validate) throw new Error(`json_schema: no subschema at ${pointer || "the root"}`);
      if (validate(value)) return [];
      return (validate.errors ?? []).map((error) => `${error.instancePath ? `at ${error.instancePath} ` : ""}${error.message ?? "does not match"}`);
    },
  };
}

/** A property name or index as a JSON pointer segment. */
export function pointerSegment(key: string | number): string {
  return String(key).replaceAll("~", "~0").replaceAll("/", "~1");
}
