import { type ApiError, badRequest, internalError, unprocessableJson } from "./errors.js";
import { type JsonValue, isJsonObject } from "./json.js";
import { lookupDictionary } from "./json-path.js";
import { containsLike } from "./like.js";
import { parseInstant } from "./instant.js";

/**
 * The backend's `filters` language (FiltersFactory + FilterQueryBuilder), evaluated in
 * memory: each field has a type, each type a fixed operator set, values are validated
 * (and, for non-string types, URL-decoded a second time) before anything runs, and all
 * filters are ANDed.
 */

export type FieldType = "STRING" | "DATE_TIME" | "NUMBER" | "FEEDBACK_SCORES_NUMBER" | "DICTIONARY" | "LIST" | "ENUM" | "ERROR_CONTAINER" | "CUSTOM";

export const OPERATORS = [
  "contains",
  "not_contains",
  "starts_with",
  "ends_with",
  "=",
  "!=",
  ">",
  ">=",
  "<",
  "<=",
  "is_empty",
  "is_not_empty",
  "in",
  "not_in",
] as const;
export type Operator = (typeof OPERATORS)[number];

const NO_VALUE_OPERATORS: ReadonlySet<Operator> = new Set(["is_empty", "is_not_empty"]);

const OPERATORS_BY_TYPE: Readonly<Record<FieldType, readonly Operator[]>> = {
  STRING: ["contains", "not_contains", "starts_with", "ends_with", "=", "!=", ">", "<"],
  DATE_TIME: ["=", "!=", ">", ">=", "<", "<="],
  NUMBER: ["=", "!=", ">", ">=", "<", "<="],
  FEEDBACK_SCORES_NUMBER: ["=", "!=", ">", ">=", "<", "<=", "is_empty", "is_not_empty"],
  DICTIONARY: ["contains", "not_contains", "starts_with", "ends_with", "=", "!=", ">", "<", "is_empty", "is_not_empty"],
  LIST: ["contains", "not_contains", "=", "!=", "is_empty", "is_not_empty"],
  ENUM: ["=", "!=", "is_empty", "is_not_empty", "in", "not_in"],
  ERROR_CONTAINER: ["is_empty", "is_not_empty"],
  CUSTOM: [],
};

export interface ScoreLike {
  readonly name: string;
  readonly value: number;
}

/** How one field of an entity is read, typed by what its column holds in ClickHouse. */
export type FieldAccessor<T> =
  | { readonly type: "STRING"; readonly read: (entity: T) => string }
  | { readonly type: "ENUM"; readonly read: (entity: T) => string }
  /** undefined = NULL (an absent end_time): every comparison is false. */
  | { readonly type: "DATE_TIME"; readonly read: (entity: T) => number | undefined }
  | { readonly type: "NUMBER"; readonly read: (entity: T) => number | undefined }
  | { readonly type: "DICTIONARY"; readonly read: (entity: T) => JsonValue | undefined }
  | { readonly type: "LIST"; readonly read: (entity: T) => readonly string[] }
  | { readonly type: "ERROR_CONTAINER"; readonly read: (entity: T) => boolean }
  | { readonly type: "FEEDBACK_SCORES_NUMBER"; readonly read: (entity: T) => readonly ScoreLike[] }
  /** `custom` filters are rewritten onto these fields. */
  | { readonly type: "CUSTOM"; readonly string: Readonly<Record<string, string>>; readonly dictionary: Readonly<Record<string, string>> };

export type FieldTable<T> = Readonly<Record<string, FieldAccessor<T>>>;

export interface Filter {
  readonly field: string;
  readonly type: Exclude<FieldType, "CUSTOM">;
  readonly operator: Operator;
  readonly key: string | undefined;
  readonly value: string | null;
}

export type FilterSource = { kind: "body" } | { kind: "query"; raw: string };

/** Filters from a POST body (a JSON array) or a GET query parameter (that array as a JSON string). */
export function parseFilters<T>(raw: unknown, table: FieldTable<T>, source: FilterSource): Filter[] {
  if (raw === undefined || raw === null) return [];
  let list: unknown = raw;
  // Jackson failures: a body answers "Unable to process JSON", a query parameter names itself.
  const malformed = (): ApiError => (source.kind === "body" ? unprocessableJson() : badRequest(`Invalid filters query parameter '${source.raw}'`));
  if (source.kind === "query") {
    if (typeof raw !== "string" || raw.trim() === "") return [];
    try {
      list = JSON.parse(raw);
    } catch {
      throw malformed();
    }
  }
  if (!Array.isArray(list)) throw malformed();
  return list.map((entry) => validate(decodeCustom(readFilter(entry, table, malformed), table)));
}

interface RawFilter {
  readonly field: string;
  readonly accessorType: FieldType;
  readonly operator: Operator;
  readonly key: string | undefined;
  readonly value: string | null;
}

function readFilter<T>(entry: unknown, table: FieldTable<T>, malformed: () => ApiError): RawFilter {
  if (!isJsonObject(entry)) throw malformed();
  const field = entry.field;
  const operator = entry.operator;
  if (typeof field !== "string" || typeof operator !== "string") throw malformed();
  const accessor = table[field];
  if (!accessor || !(OPERATORS as readonly string[]).includes(operator)) throw malformed();
  if (!("value" in entry)) throw malformed();
  const value = scalarText(entry.value);
  const key = entry.key === undefined || entry.key === null ? undefined : scalarText(entry.key);
  if (value === undefined || key === null) throw malformed();
  // `value` is a required creator property, but Jackson lets an explicit null through; what
  // happens to it is decided in `validate` (SDK 2.0.40's OQL sends null for is_empty/is_not_empty).
  return { field, accessorType: accessor.type, operator: operator as Operator, key, value };
}

function scalarText(value: unknown): string | null | undefined {
  if (value === null) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function decodeCustom<T>(filter: RawFilter, table: FieldTable<T>): Filter {
  if (filter.accessorType !== "CUSTOM") return { ...filter, type: filter.accessorType };
  const accessor = table[filter.field];
  if (accessor?.type !== "CUSTOM") throw badRequest(`Invalid key '${filter.key}' for custom filter`);
  // FiltersFactory.mapCustom decodes before anything else, outside any try: a null value (NPE)
  // or a broken escape (IllegalArgumentException) is an unhandled exception, a 500.
  let value: string;
  try {
    if (filter.value === null) throw new Error("null filter value");
    value = urlDecode(filter.value);
  } catch {
    throw internalError();
  }
  if (filter.key === undefined || filter.key.trim() === "") throw badRequest("Custom key cannot be null or empty");
  const [customField, customKey] = customFieldAndKey(filter.key);
  const field = customKey === undefined ? accessor.string[customField] : accessor.dictionary[customField];
  const target = field === undefined ? undefined : table[field];
  if (field === undefined || !target || target.type === "CUSTOM") throw badRequest(`Invalid key '${filter.key}' for custom filter`);
  return { field, type: target.type, operator: filter.operator, key: customKey, value };
}

/** `input.messages[0].content` → (input, messages[0].content); `output[1]` → (output, [1]); `input` → (input, none). */
function customFieldAndKey(rawKey: string): [string, string | undefined] {
  const key = rawKey.startsWith("$.") ? rawKey.slice(2) : rawKey;
  const dot = key.indexOf(".");
  const head = dot < 0 ? key : key.slice(0, dot);
  const match = /^(.*?)(\[\d+])?$/.exec(head);
  const field = match?.[1] ?? head;
  const index = match?.[2];
  if (dot < 0) return [field, index];
  const rest = key.slice(dot + 1);
  return [field, index === undefined ? rest : `${index}.${rest}`];
}

/**
 * FiltersFactory.toValidAndDecoded: every non-STRING value (ENUM included, whatever the operator)
 * is URL-decoded first. `URLDecoder.decode(null)` throws a NullPointerException, which nothing
 * catches: a filter with `"value": null` on such a field is a 500, so `is_empty`/`is_not_empty`
 * only work with a value such as `""`. A null STRING value fails the value check instead (400).
 */
function validate(filter: Filter): Filter {
  let value = filter.value;
  if (filter.type !== "STRING") {
    if (value === null) throw internalError();
    try {
      value = urlDecode(value);
    } catch {
      throw badRequest(`Invalid filter '${value}'`);
    }
  }
  if (!OPERATORS_BY_TYPE[filter.type].includes(filter.operator)) {
    throw badRequest(`Invalid operator '${filter.operator}' for field '${filter.field}' of type '${filter.type}'`);
  }
  const decoded = { ...filter, value };
  if (!isValidValue(decoded)) {
    throw badRequest(`Invalid value '${decoded.value}' or key '${decoded.key ?? "null"}' for field '${decoded.field}' of type '${decoded.type}'`);
  }
  return decoded;
}

/** Java's URLDecoder: `+` is a space, `%xx` is UTF-8; a broken escape is an error. */
function urlDecode(value: string): string {
  return decodeURIComponent(value.replaceAll("+", " "));
}

const isNotBlank = (value: string | null | undefined): value is string => value !== null && value !== undefined && value.trim() !== "";
// commons-lang NumberUtils.isParsable: optional minus, digits, at most one dot, no trailing dot, no exponent.
const PARSABLE_NUMBER = /^-?(?:\d+(?:\.\d+)?|\.\d+)$/;
// java.math.BigDecimal(String)
const BIG_DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function isValidValue(filter: Filter): boolean {
  const noValue = NO_VALUE_OPERATORS.has(filter.operator);
  switch (filter.type) {
    case "STRING":
      return isNotBlank(filter.value);
    case "ENUM":
    case "LIST":
      return noValue || isNotBlank(filter.value);
    case "DATE_TIME":
      return filter.value !== null && parseInstant(filter.value) !== undefined;
    case "NUMBER":
      return filter.value !== null && PARSABLE_NUMBER.test(filter.value);
    case "FEEDBACK_SCORES_NUMBER":
      if (!isNotBlank(filter.key)) return false;
      return noValue || (filter.value !== null && BIG_DECIMAL.test(filter.value));
    case "ERROR_CONTAINER":
      return noValue;
    case "DICTIONARY":
      return isNotBlank(filter.key) && (noValue || filter.value !== null);
  }
}

export function matchesAll<T>(entity: T, filters: readonly Filter[], table: FieldTable<T>): boolean {
  return filters.every((filter) => matches(entity, filter, table));
}

function matches<T>(entity: T, filter: Filter, table: FieldTable<T>): boolean {
  const accessor = table[filter.field];
  const value = filter.value ?? "";
  switch (accessor?.type) {
    case "STRING":
      return compareText(accessor.read(entity), filter.operator, value);
    case "ENUM":
      return matchEnum(accessor.read(entity), filter.operator, value);
    case "DATE_TIME":
      return compareNumbers(accessor.read(entity), filter.operator, parseInstant(value)?.millis);
    case "NUMBER":
      return compareNumbers(accessor.read(entity), filter.operator, Number(value));
    case "DICTIONARY":
      return matchDictionary(accessor.read(entity), filter.key ?? "", filter.operator, value);
    case "LIST":
      return matchList(accessor.read(entity), filter.operator, value);
    case "ERROR_CONTAINER":
      return filter.operator === "is_empty" ? !accessor.read(entity) : accessor.read(entity);
    case "FEEDBACK_SCORES_NUMBER":
      return matchScores(accessor.read(entity), filter.key ?? "", filter.operator, value);
    default:
      return false;
  }
}

/** STRING columns compare lower-cased; contains is `ilike`. */
function compareText(actual: string, operator: Operator, value: string): boolean {
  const a = actual.toLowerCase();
  const v = value.toLowerCase();
  switch (operator) {
    case "contains":
      return containsLike(actual, value);
    case "not_contains":
      return !containsLike(actual, value);
    case "starts_with":
      return a.startsWith(v);
    case "ends_with":
      return a.endsWith(v);
    case "=":
      return a === v;
    case "!=":
      return a !== v;
    case ">":
      return a > v;
    case "<":
      return a < v;
    default:
      return false;
  }
}

/** ENUM columns compare exactly (no lower-casing); IN takes a comma-separated list. */
function matchEnum(actual: string, operator: Operator, value: string): boolean {
  const list = () =>
    value
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v !== "");
  switch (operator) {
    case "=":
      return actual === value;
    case "!=":
      return actual !== value;
    case "is_empty":
      return actual === "";
    case "is_not_empty":
      return actual !== "";
    case "in":
      return list().includes(actual);
    case "not_in":
      return !list().includes(actual);
    default:
      return false;
  }
}

function compareNumbers(actual: number | undefined, operator: Operator, value: number | undefined): boolean {
  if (actual === undefined || value === undefined || Number.isNaN(actual) || Number.isNaN(value)) return false;
  switch (operator) {
    case "=":
      return actual === value;
    case "!=":
      return actual !== value;
    case ">":
      return actual > value;
    case ">=":
      return actual >= value;
    case "<":
      return actual < value;
    case "<=":
      return actual <= value;
    default:
      return false;
  }
}

/** JSON_VALUE(column, path) compared as text; `>`/`<` go through toFloat64OrNull on both sides. */
function matchDictionary(document: JsonValue | undefined, key: string, operator: Operator, value: string): boolean {
  const { exists, text } = lookupDictionary(document, key);
  switch (operator) {
    case "is_empty":
      return !exists || text === "" || text === "null";
    case "is_not_empty":
      return exists && text !== "" && text !== "null";
    case ">":
    case "<":
      return compareNumbers(toFloatOrNull(text), operator, toFloatOrNull(value));
    default:
      return compareText(text, operator, value);
  }
}

function toFloatOrNull(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "" || !/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|nan)$/i.test(trimmed)) return undefined;
  return Number(trimmed);
}

function matchList(tags: readonly string[], operator: Operator, value: string): boolean {
  switch (operator) {
    case "contains":
      return tags.some((tag) => containsLike(tag, value));
    case "not_contains":
      return !tags.some((tag) => containsLike(tag, value));
    case "=":
      return tags.includes(value);
    case "!=":
      return !tags.includes(value);
    case "is_empty":
      return tags.length === 0;
    case "is_not_empty":
      return tags.length > 0;
    default:
      return false;
  }
}

/**
 * Scores are grouped per entity (`groupArray(tuple(lower(name), value))`) over the
 * feedback_scores table, so value operators only ever match entities that have at least
 * one score; the name is matched case-insensitively; values compare as Decimal(18, 9).
 */
function matchScores(scores: readonly ScoreLike[], key: string, operator: Operator, value: string): boolean {
  const wanted = key.toLowerCase();
  const named = scores.filter((score) => score.name.toLowerCase() === wanted);
  if (operator === "is_empty") return named.length === 0;
  if (operator === "is_not_empty") return named.length > 0;
  if (scores.length === 0) return false;
  const target = toDecimal9(Number(value));
  if (operator === "!=") return !named.some((score) => toDecimal9(score.value) === target);
  return named.some((score) => compareNumbers(toDecimal9(score.value), operator, target));
}

function toDecimal9(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}
