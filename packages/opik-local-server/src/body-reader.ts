import { type JsonObject, type JsonValue, isJsonObject, cloneJson } from "./json.js";
import { unprocessableJson, validationFailed } from "./errors.js";
import { parseInstant } from "./instant.js";
import { isUuid } from "./uuid-v7.js";

/**
 * Reads request members with Jackson's leniency and strictness: scalars coerce to
 * strings and numeric strings to numbers, but a value of the wrong shape (an object
 * where a string belongs, a malformed UUID or date, an unknown enum constant) fails the
 * whole request with 400 "Unable to process JSON", before any bean validation runs.
 */
export function requireBody(body: unknown): JsonObject {
  if (body === undefined || body === null) throw validationFailed(["The request body may not be null"]);
  if (!isJsonObject(body)) throw unprocessableJson();
  return body;
}

export function optString(record: JsonObject, key: string): string | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw unprocessableJson();
}

export function optNumber(record: JsonObject, key: string): number | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  throw unprocessableJson();
}

export function optInteger(record: JsonObject, key: string): number | undefined {
  const value = optNumber(record, key);
  return value === undefined ? undefined : Math.trunc(value);
}

export function optBoolean(record: JsonObject, key: string): boolean | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  throw unprocessableJson();
}

export function optUuid(record: JsonObject, key: string): string | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (!isUuid(value)) throw unprocessableJson();
  return value.toLowerCase();
}

export function optInstant(record: JsonObject, key: string): string | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw unprocessableJson();
  const parsed = parseInstant(value);
  if (!parsed) throw unprocessableJson();
  return parsed.iso;
}

export function optEnum<T extends string>(record: JsonObject, key: string, allowed: readonly T[]): T | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) throw unprocessableJson();
  return value as T;
}

/** `uniqueItems` arrays deserialize into Java Sets: duplicates vanish silently. */
export function optStringSet(record: JsonObject, key: string): string[] | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw unprocessableJson();
  const out = new Set<string>();
  for (const entry of value) {
    if (typeof entry === "string") out.add(entry);
    else if (typeof entry === "number" || typeof entry === "boolean") out.add(String(entry));
    else throw unprocessableJson();
  }
  return [...out];
}

export function optArray(record: JsonObject, key: string): JsonValue[] | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw unprocessableJson();
  return value;
}

export function optObject(record: JsonObject, key: string): JsonObject | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw unprocessableJson();
  return value;
}

/** `JsonListString`: an object, an array or a string; numbers and booleans do not map. */
export function optJsonListString(record: JsonObject, key: string): JsonValue | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" || typeof value === "boolean") throw unprocessableJson();
  return cloneJson(value);
}

/** `Map<String, Integer>` (span usage): numbers are truncated like Jackson's int coercion. */
export function optUsage(record: JsonObject, key: string): Record<string, number> | undefined {
  const value = optObject(record, key);
  if (!value) return undefined;
  const usage: Record<string, number> = {};
  for (const [name, amount] of Object.entries(value)) {
    if (amount === null) continue;
    const parsed = optInteger(value, name);
    if (parsed === undefined) throw unprocessableJson();
    usage[name] = parsed;
  }
  return usage;
}

export function isBlank(value: string | undefined): boolean {
  return value === undefined || value.trim() === "";
}

/** Collects bean-validation violations so one 422 lists every problem, as Dropwizard does. */
export class Violations {
  private readonly messages: string[] = [];

  add(path: string, message: string): void {
    this.messages.push(path ? `${path} ${message}` : message);
  }

  get empty(): boolean {
    return this.messages.length === 0;
  }

  throwIfAny(): void {
    if (this.messages.length > 0) throw validationFailed([...this.messages]);
  }
}
