import { type JsonValue, isJsonObject } from "./json.js";
import { badRequest, unprocessableJson } from "./errors.js";

/**
 * What an omitted `truncate` means in a search/stream body. The schema documents `true`,
 * but the backend's request records declare `@DefaultValue("true") boolean truncate`: a
 * JAX-RS annotation Jackson ignores, so a missing member deserializes to `false`. The
 * SDK's high-level searches always send it (true unless told otherwise).
 */
export const BODY_TRUNCATE_DEFAULT = false;

/** Strings longer than this in input/output/metadata are cut when a caller leaves `truncate` on. */
export const TRUNCATION_LIMIT = 10_000;
const BASE64_IMAGE = /data:image\/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=]{64,}/gi;

/**
 * The backend's slim payloads: base64 images become "[image]" and long strings are
 * shortened, so a client that forgets `truncate: false` gets visibly partial data.
 */
export function truncatePayload(value: JsonValue | undefined): JsonValue | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return truncateString(value);
  if (Array.isArray(value)) return value.map((entry) => truncatePayload(entry) ?? null);
  if (isJsonObject(value)) {
    const out: Record<string, JsonValue> = {};
    for (const [key, entry] of Object.entries(value)) out[key] = truncatePayload(entry) ?? null;
    return out;
  }
  return value;
}

function truncateString(text: string): string {
  const slim = text.replace(BASE64_IMAGE, "[image]");
  return slim.length > TRUNCATION_LIMIT ? slim.slice(0, TRUNCATION_LIMIT) : slim;
}

export const SPAN_EXCLUDABLE = [
  "name",
  "type",
  "start_time",
  "end_time",
  "input",
  "output",
  "metadata",
  "model",
  "provider",
  "tags",
  "usage",
  "error_info",
  "created_at",
  "created_by",
  "last_updated_by",
  "feedback_scores",
  "comments",
  "total_estimated_cost",
  "total_estimated_cost_version",
  "duration",
  "ttft",
  "source",
  "environment",
] as const;

export const TRACE_EXCLUDABLE = [
  "name",
  "start_time",
  "end_time",
  "input",
  "output",
  "metadata",
  "tags",
  "error_info",
  "usage",
  "created_at",
  "created_by",
  "last_updated_by",
  "feedback_scores",
  "span_feedback_scores",
  "comments",
  "guardrails_validations",
  "total_estimated_cost",
  "span_count",
  "llm_span_count",
  "has_tool_spans",
  "duration",
  "ttft",
  "thread_id",
  "visibility_mode",
  "providers",
  "experiment",
  "source",
  "environment",
] as const;

/** `exclude` in a search body: a JSON array of field names; an unknown name fails deserialization. */
export function excludeFromBody(raw: unknown, allowed: readonly string[]): Set<string> {
  if (raw === undefined || raw === null) return new Set();
  if (!Array.isArray(raw) || raw.some((name) => typeof name !== "string" || !allowed.includes(name))) throw unprocessableJson();
  return new Set(raw as string[]);
}

/** `exclude` as a GET query parameter: the same array, JSON-encoded. */
export function excludeFromQuery(raw: string | undefined, allowed: readonly string[]): Set<string> {
  if (raw === undefined || raw.trim() === "") return new Set();
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badRequest(`Invalid query param exclude: '${raw}'`);
  }
  if (!Array.isArray(parsed) || parsed.some((name) => typeof name !== "string" || !allowed.includes(name))) {
    throw badRequest(`Invalid query param exclude: '${raw}'`);
  }
  return new Set(parsed as string[]);
}

export function withoutExcluded(record: Record<string, unknown>, exclude: ReadonlySet<string>): Record<string, unknown> {
  if (exclude.size === 0) return record;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!exclude.has(key)) out[key] = value;
  return out;
}
