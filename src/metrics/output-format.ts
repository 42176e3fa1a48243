/**
 * output_format: format compliance from 0 to 1, with partial credit.
 *
 * Finding JSON (with `json_schema` or without a spec). The output must hold a
 * JSON object or array:
 * - bare: the whole trimmed output parses as one → full credit;
 * - wrapped: otherwise the first object or array inside a ``` fence, or
 *   anywhere in surrounding prose, is used at half credit (× 0.5), since a
 *   consumer calling JSON.parse on the output would fail;
 * - none found → 0.
 *
 * Without a spec: 1 for bare JSON, 0.5 for wrapped JSON, 0 otherwise.
 *
 * With `json_schema`: score = (1 bare, 0.5 wrapped) × checks passed / checks
 * made (1 when the schema makes no checks). Each of these is one check:
 * - `type` (a list passes if any matches; `integer` means a whole number).
 *   Without `type`, a schema expects the type its keywords constrain:
 *   properties/required/additionalProperties → object, items/minItems/
 *   maxItems → array, minLength/maxLength/pattern → string, minimum/maximum/
 *   exclusiveMinimum/exclusiveMaximum → number;
 * - `enum`, `const` (deep equality);
 * - `required`: one check per listed key;
 * - `additionalProperties: false`: one check, failed by keys not in `properties`;
 * - `minLength`/`maxLength` (characters), `pattern` (unanchored, as in JSON
 *   Schema), `minItems`/`maxItems`, `minimum`/`maximum`,
 *   `exclusiveMinimum`/`exclusiveMaximum` (number form), each only on a value
 *   of the type it constrains.
 * Properties present in the value are checked recursively against their
 * `properties` schema; an absent optional property adds no checks, an absent
 * required one fails only its `required` check. Every array element is checked
 * against `items`, and the array counts as one average element, so a long
 * array does not drown the other fields.
 * A (sub)schema that uses any other JSON Schema keyword ($ref, allOf/anyOf/
 * oneOf/not, if/then/else, prefixItems, contains, uniqueItems, format,
 * multipleOf, patternProperties, additionalProperties as a schema, ...) is one
 * check as a whole, decided by ajv with full JSON Schema semantics (and
 * without the implied type above). Annotations (title, description, default,
 * examples, $defs, ...) check nothing. The schema is validated against its
 * draft's meta-schema and compiled in strict mode when the config is read, so
 * an unknown or misspelt keyword fails the run instead of being ignored.
 *
 * With `regex` (compiled as a JavaScript regular expression, no flags): 1 if
 * the whole trimmed output matches, 0.5 if only part of it does (a non-empty
 * match), 0 if nothing matches.
 *
 * The reason says where the JSON was found and what failed, e.g.
 * `Bare JSON; 3/5 schema checks passed: missing required "verdict"; "score" should be number (got string)`,
 * cut to 500 characters.
 */
import { MAX_JSON_DEPTH } from "../constants.js";
import { errorMessage } from "../errors.js";
import type { Metric, MetricResult } from "../types.js";
import { compileJsonSchema, jsonSchemaProblems, pointerSegment, type CompiledJsonSchema } from "./json-schema.js";
import { boundedJson } from "./bounded-json.js";
import { findJson, type JsonLocation } from "./find-json.js";

export const OUTPUT_FORMAT_METRIC = "output_format";

/** From the user's YAML feature registry, hence snake_case. */
export type OutputFormatSpec = { json_schema: Record<string, unknown> } | { regex: string };

export interface FormatScore {
  value: number;
  reason: string;
}

const WRAPPED_CREDIT = 0.5;
const PARTIAL_MATCH_CREDIT = 0.5;
const MAX_REASON_LENGTH = 500;
/** Enough to explain a score; an array of a thousand bad elements need not list them all. */
const MAX_PROBLEMS = 20;
const JSON_TYPES = ["string", "number", "integer", "boolean", "object", "array", "null"] as const;

export function createOutputFormatMetric(spec: OutputFormatSpec | undefined): Metric {
  return {
    name: OUTPUT_FORMAT_METRIC,
    score(input): Promise<MetricResult> {
      try {
        return Promise.resolve({ name: OUTPUT_FORMAT_METRIC, ok: true, ...scoreOutputFormat(input.output, spec) });
      } catch (error) {
        return Promise.resolve({ name: OUTPUT_FORMAT_METRIC, ok: false, error: errorMessage(error) });
      }
    },
  };
}

export function scoreOutputFormat(output: string, spec: OutputFormatSpec | undefined): FormatScore {
  if (spec && "regex" in spec) return finish(scoreRegex(output, spec.regex));
  const found = findJson(output);
  if (!found) return { value: 0, reason: "No JSON object or array found in the output" };
  const credit = found.location === "bare" ? 1 : WRAPPED_CREDIT;
  const where = LOCATION_NOTES[found.location];
  if (!spec) return finish({ value: credit, reason: where });
  const tally = checkSchema(spec.json_schema, found.value, compiledSchema(spec.json_schema));
  const fraction = tally.total === 0 ? 1 : tally.passed / tally.total;
  const checks = tally.total === 0 ? "the schema makes no checks" : `${formatCount(tally.passed)}/${formatCount(tally.total)} schema checks passed`;
  const problems = tally.problems.length > 0 ? `: ${tally.problems.join("; ")}` : "";
  return finish({ value: credit * fraction, reason: `${where}; ${checks}${problems}` });
}

/** Problems with the spec itself, so a bad one is rejected before any work. */
export function validateOutputFormatSpec(spec: OutputFormatSpec): string[] {
  if ("json_schema" in spec) return validateJsonSchemaSpec(spec.json_schema);
  if ("regex" in spec) return validateRegex(spec.regex);
  return ["needs either json_schema or regex"];
}

/**
 * Problems with a JSON schema, each prefixed with where it is (e.g.
 * `json_schema.properties.score.type`): first the keywords the scorer checks
 * itself, with specific messages, then, when those are fine, ajv's meta-schema
 * and strict-mode checks of everything else.
 */
export function validateJsonSchemaSpec(schema: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(schema)) return [`json_schema: must be an object, got ${describe(schema)}`];
  validateSchemaNode(schema, "json_schema", problems);
  return problems.length > 0 ? problems : jsonSchemaProblems(schema);
}

// ---------------------------------------------------------------- regex

function validateRegex(pattern: unknown): string[] {
  if (typeof pattern !== "string" || pattern === "") return ["regex: must be a non-empty string"];
  try {
    new RegExp(pattern);
    return [];
  } catch (error) {
    return [`regex: ${JSON.stringify(pattern)} is not a valid regular expression (${errorMessage(error)})`];
  }
}

function scoreRegex(output: string, pattern: string): FormatScore {
  const trimmed = output.trim();
  const shown = `/${pattern}/`;
  if (new RegExp(`^(?:${pattern})$`).test(trimmed)) return { value: 1, reason: `The whole output matches ${shown}` };
  for (const match of trimmed.matchAll(new RegExp(pattern, "g"))) {
    if (match[0] !== "") {
      return { value: PARTIAL_MATCH_CREDIT, reason: `Only part of the output matches ${shown} (half credit): ${preview(match[0])}` };
    }
  }
  return { value: 0, reason: `The output does not match ${shown}` };
}

// ---------------------------------------------------------------- finding JSON

const LOCATION_NOTES: Record<JsonLocation, string> = {
  bare: "Bare JSON",
  fenced: "JSON inside a ``` fence, not bare (half credit)",
  prose: "JSON surrounded by other text, not bare (half credit)",
};

// ---------------------------------------------------------------- schema checks

interface Tally {
  passed: number;
  total: number;
  problems: string[];
}

type Schema = Record<string, unknown>;

/** Keywords checked one by one, for partial credit; `items` and `additionalProperties` only in their single-schema / boolean forms. */
const SCORED_KEYWORDS = new Set([
  "type",
  "enum",
  "const",
  "required",
  "properties",
  "additionalProperties",
  "items",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
]);
/** Keywords that check nothing by themselves. */
const ANNOTATIONS = new Set([
  "$schema",
  "$id",
  "$anchor",
  "$comment",
  "$defs",
  "definitions",
  "title",
  "description",
  "default",
  "examples",
  "deprecated",
  "readOnly",
  "writeOnly",
]);

/** Whether the scorer can check this schema keyword by keyword; otherwise ajv checks it as a whole. */
function isScoredKeywordByKeyword(schema: Schema): boolean {
  if (isRecord(schema.additionalProperties)) return false;
  if (Array.isArray(schema.items)) return false;
  return Object.keys(schema).every((keyword) => SCORED_KEYWORDS.has(keyword) || ANNOTATIONS.has(keyword));
}

/** One compiled validator per schema object, shared by every item the metric scores. */
const compiled = new WeakMap<object, CompiledJsonSchema>();

function compiledSchema(schema: Schema): CompiledJsonSchema {
  let validator = compiled.get(schema);
  if (!validator) {
    validator = compileJsonSchema(schema);
    compiled.set(schema, validator);
  }
  return validator;
}

interface Walk {
  tally: Tally;
  ajv: CompiledJsonSchema;
}

function checkSchema(schema: unknown, value: unknown, ajv: CompiledJsonSchema): Tally {
  const tally: Tally = { passed: 0, total: 0, problems: [] };
  checkNode(schema, value, "", "", { tally, ajv });
  return tally;
}

function record(tally: Tally, ok: boolean, problem: () => string): void {
  tally.total++;
  if (ok) tally.passed++;
  else if (tally.problems.length < MAX_PROBLEMS) tally.problems.push(problem());
}

function checkNode(schema: unknown, value: unknown, path: string, pointer: string, walk: Walk): void {
  const { tally } = walk;
  if (schema === false) return record(tally, false, () => `${label(path)} is not allowed`);
  if (!isRecord(schema)) return;
  if (!isScoredKeywordByKeyword(schema)) {
    const problems = walk.ajv.problemsAt(pointer, value);
    return record(
      tally,
      problems.length === 0,
      () => `${label(path)} does not match its schema (${pointer || "the root"}): ${problems.slice(0, 3).join("; ")}`,
    );
  }
  const types = expectedTypes(schema);
  if (types.length > 0) {
    const ok = types.some((type) => hasType(value, type));
    record(tally, ok, () => `${label(path)} should be ${types.join(" or ")} (got ${typeOf(value)})`);
    // Keywords for the expected type say nothing useful about a value of another type.
    if (!ok) return;
  }
  if (Array.isArray(schema.enum)) {
    const options = schema.enum as unknown[];
    record(
      tally,
      options.some((option) => deepEqual(option, value)),
      () => `${label(path)} should be one of ${options.map(preview).join(", ")} (got ${preview(value)})`,
    );
  }
  if ("const" in schema) record(tally, deepEqual(schema.const, value), () => `${label(path)} should be ${preview(schema.const)} (got ${preview(value)})`);
  if (isRecord(value)) checkObject(schema, value, path, pointer, walk);
  else if (Array.isArray(value)) checkArray(schema, value, path, pointer, walk);
  else if (typeof value === "string") checkString(schema, value, path, tally);
  else if (typeof value === "number") checkNumber(schema, value, path, tally);
}

function checkObject(schema: Schema, value: Record<string, unknown>, path: string, pointer: string, walk: Walk): void {
  const { tally } = walk;
  const properties = isRecord(schema.properties) ? schema.properties : {};
  if (Array.isArray(schema.required)) {
    for (const key of schema.required) {
      if (typeof key === "string") record(tally, key in value, () => `missing required ${label(join(path, key))}`);
    }
  }
  for (const [key, propertySchema] of Object.entries(properties)) {
    if (key in value) checkNode(propertySchema, value[key], join(path, key), `${pointer}/properties/${pointerSegment(key)}`, walk);
  }
  if (schema.additionalProperties === false) {
    const extras = Object.keys(value).filter((key) => !(key in properties));
    record(
      tally,
      extras.length === 0,
      () => `${label(path)} has unexpected ${extras.length === 1 ? "property" : "properties"} ${extras.map((key) => JSON.stringify(key)).join(", ")}`,
    );
  }
}

function checkArray(schema: Schema, value: unknown[], path: string, pointer: string, walk: Walk): void {
  const { tally } = walk;
  if (isNonNegativeInteger(schema.minItems)) {
    const min = schema.minItems;
    record(tally, value.length >= min, () => `${label(path)} should have at least ${min} items (got ${value.length})`);
  }
  if (isNonNegativeInteger(schema.maxItems)) {
    const max = schema.maxItems;
    record(tally, value.length <= max, () => `${label(path)} should have at most ${max} items (got ${value.length})`);
  }
  const items = schema.items;
  if (value.length === 0 || !(isRecord(items) || typeof items === "boolean")) return;
  // The array weighs as one average element.
  let passed = 0;
  let total = 0;
  value.forEach((element, index) => {
    const elementTally: Tally = { passed: 0, total: 0, problems: tally.problems };
    checkNode(items, element, `${path}[${index}]`, `${pointer}/items`, { ...walk, tally: elementTally });
    passed += elementTally.passed;
    total += elementTally.total;
  });
  tally.passed += passed / value.length;
  tally.total += total / value.length;
}

function checkString(schema: Schema, value: string, path: string, tally: Tally): void {
  const length = [...value].length;
  if (isNonNegativeInteger(schema.minLength)) {
    const min = schema.minLength;
    record(tally, length >= min, () => `${label(path)} should be at least ${min} characters long (got ${length})`);
  }
  if (isNonNegativeInteger(schema.maxLength)) {
    const max = schema.maxLength;
    record(tally, length <= max, () => `${label(path)} should be at most ${max} characters long (got ${length})`);
  }
  if (typeof schema.pattern === "string") {
    const pattern = compilePattern(schema.pattern);
    if (pattern) record(tally, pattern.test(value), () => `${label(path)} should match /${pattern.source}/ (got ${preview(value)})`);
  }
}

function checkNumber(schema: Schema, value: number, path: string, tally: Tally): void {
  const bounds: [keyword: string, holds: (bound: number) => boolean, relation: string][] = [
    ["minimum", (bound) => value >= bound, ">="],
    ["maximum", (bound) => value <= bound, "<="],
    ["exclusiveMinimum", (bound) => value > bound, ">"],
    ["exclusiveMaximum", (bound) => value < bound, "<"],
  ];
  for (const [keyword, holds, relation] of bounds) {
    const bound = schema[keyword];
    if (isFiniteNumber(bound)) record(tally, holds(bound), () => `${label(path)} should be ${relation} ${bound} (got ${value})`);
  }
}

function expectedTypes(schema: Schema): string[] {
  if (typeof schema.type === "string") return [schema.type];
  if (Array.isArray(schema.type)) return schema.type.filter((type): type is string => typeof type === "string");
  return impliedType(schema);
}

function impliedType(schema: Schema): string[] {
  const has = (...keywords: string[]) => keywords.some((keyword) => keyword in schema);
  if (has("properties", "required", "additionalProperties")) return ["object"];
  if (has("items", "minItems", "maxItems")) return ["array"];
  if (has("minLength", "maxLength", "pattern")) return ["string"];
  if (has("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")) return ["number"];
  return [];
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "array":
      return Array.isArray(value);
    case "object":
      return isRecord(value);
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    default:
      return typeof value === type;
  }
}

// ---------------------------------------------------------------- schema validation

function validateSchemaNode(schema: unknown, path: string, problems: string[]): void {
  if (typeof schema === "boolean") return;
  if (!isRecord(schema)) {
    problems.push(`${path}: a schema must be an object or a boolean, got ${describe(schema)}`);
    return;
  }
  validateType(schema.type, `${path}.type`, problems);
  if ("required" in schema && !(Array.isArray(schema.required) && schema.required.every((key) => typeof key === "string"))) {
    problems.push(`${path}.required: must be a list of property names`);
  }
  if ("properties" in schema) {
    if (isRecord(schema.properties)) {
      for (const [key, propertySchema] of Object.entries(schema.properties)) validateSchemaNode(propertySchema, `${path}.properties.${key}`, problems);
    } else {
      problems.push(`${path}.properties: must be a mapping from property name to schema`);
    }
  }
  if ("items" in schema && !Array.isArray(schema.items)) validateSchemaNode(schema.items, `${path}.items`, problems);
  if ("additionalProperties" in schema && typeof schema.additionalProperties !== "boolean" && !isRecord(schema.additionalProperties)) {
    problems.push(`${path}.additionalProperties: must be true, false or a schema`);
  }
  if (schema.additionalProperties === false && Array.isArray(schema.required)) {
    const declared = isRecord(schema.properties) ? schema.properties : {};
    for (const key of schema.required) {
      if (typeof key === "string" && !(key in declared))
        problems.push(`${path}.required: "${key}" is required but not in properties, and additionalProperties is false`);
    }
  }
  if ("enum" in schema && !(Array.isArray(schema.enum) && schema.enum.length > 0)) problems.push(`${path}.enum: must be a non-empty list`);
  for (const keyword of ["minLength", "maxLength", "minItems", "maxItems"]) {
    if (keyword in schema && !isNonNegativeInteger(schema[keyword]))
      problems.push(`${path}.${keyword}: must be a whole number >= 0, got ${describe(schema[keyword])}`);
  }
  for (const keyword of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]) {
    if (keyword in schema && !isFiniteNumber(schema[keyword])) problems.push(`${path}.${keyword}: must be a number, got ${describe(schema[keyword])}`);
  }
  for (const [low, high] of [
    ["minLength", "maxLength"],
    ["minItems", "maxItems"],
    ["minimum", "maximum"],
  ] as const) {
    const lowValue = schema[low];
    const highValue = schema[high];
    if (isFiniteNumber(lowValue) && isFiniteNumber(highValue) && lowValue > highValue) {
      problems.push(`${path}: ${low} (${lowValue}) is greater than ${high} (${highValue}), so nothing can match`);
    }
  }
  if ("pattern" in schema) {
    if (typeof schema.pattern !== "string") problems.push(`${path}.pattern: must be a string`);
    else if (!compilePattern(schema.pattern)) problems.push(`${path}.pattern: ${JSON.stringify(schema.pattern)} is not a valid regular expression`);
  }
}

function validateType(type: unknown, path: string, problems: string[]): void {
  if (type === undefined) return;
  const expected = `one of ${JSON_TYPES.join(", ")}`;
  const types = Array.isArray(type) ? (type as unknown[]) : [type];
  if (Array.isArray(type) && type.length === 0) problems.push(`${path}: must not be an empty list`);
  for (const entry of types) {
    if (typeof entry !== "string" || !(JSON_TYPES as readonly string[]).includes(entry)) {
      problems.push(`${path}: ${describe(entry)} is not a JSON Schema type (expected ${expected})`);
    }
  }
}

/** JSON Schema patterns are ECMA-262 regular expressions with Unicode semantics. */
function compilePattern(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, "u");
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- small helpers

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

/** Past MAX_JSON_DEPTH a value is opaque: it equals only itself. */
function deepEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (depth >= MAX_JSON_DEPTH) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => deepEqual(item, b[index], depth + 1));
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => key in b && deepEqual(a[key], b[key], depth + 1));
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function label(path: string): string {
  return path === "" ? "the output" : JSON.stringify(path);
}

function preview(value: unknown): string {
  const text = value === undefined ? "undefined" : boundedJson(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function describe(value: unknown): string {
  return value === undefined ? "nothing" : preview(value);
}

function formatCount(count: number): string {
  return String(Math.round(count * 100) / 100);
}

function finish(score: FormatScore): FormatScore {
  const value = Math.round(score.value * 10_000) / 10_000;
  const reason = score.reason.length > MAX_REASON_LENGTH ? `${score.reason.slice(0, MAX_REASON_LENGTH - 3)}...` : score.reason;
  return { value, reason };
}
