import { type Violations, optEnum, optInstant, optJsonListString, optNumber, optString, optStringSet, optUsage, optUuid } from "../body-reader.js";
import { unprocessableJson } from "../errors.js";
import { type JsonObject, type JsonValue, isJsonObject } from "../json.js";
import { ENTITY_SOURCES, type OpikStore, SPAN_TYPES, type SpanType, type StoredSpan, type StoredTrace } from "../store.js";
import { createUuidV7 } from "../uuid-v7.js";
import { audit, checkProjectName, memberPath, projectForWrite, readErrorInfo, requireV7 } from "./common.js";

/** Trace_Write / Span_Write parsing and storing, shared by the batch endpoints and the experiment bulk upload. */

export type ParsedTrace = ReturnType<typeof parseTraceWrite>;
export type ParsedSpan = ReturnType<typeof parseSpanWrite>;

export function parseTraceWrite(row: JsonValue, violations: Violations, path: string) {
  if (!isJsonObject(row)) throw unprocessableJson();
  const trace = {
    id: optUuid(row, "id"),
    project_name: optString(row, "project_name"),
    name: optString(row, "name"),
    start_time: optInstant(row, "start_time"),
    end_time: optInstant(row, "end_time"),
    input: optJsonListString(row, "input"),
    output: optJsonListString(row, "output"),
    metadata: optJsonListString(row, "metadata"),
    tags: optStringSet(row, "tags"),
    error_info: readErrorInfo(row, "error_info", violations, `${path}.errorInfo`),
    thread_id: optString(row, "thread_id"),
    // An enum: a value outside it fails deserialization of the whole body (400).
    source: optEnum(row, "source", ENTITY_SOURCES),
    environment: optString(row, "environment"),
  };
  if (trace.start_time === undefined) violations.add(`${path}.startTime`, "must not be null");
  checkProjectName(violations, `${path}.projectName`, trace.project_name);
  return trace;
}

/** A span `type` outside the enum is reported as a violation of the field (422). */
export function readSpanType(row: JsonObject, violations: Violations, path: string): SpanType | undefined {
  const value = row.type;
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && (SPAN_TYPES as readonly string[]).includes(value)) return value as SpanType;
  violations.add(memberPath(path, "type"), `must be one of [${SPAN_TYPES.join(", ")}]`);
  return undefined;
}

export function readCost(row: JsonObject, violations: Violations, path: string): number | undefined {
  const cost = optNumber(row, "total_estimated_cost");
  if (cost !== undefined && cost < 0) violations.add(memberPath(path, "totalEstimatedCost"), "must be greater than or equal to 0.0");
  return cost;
}

export function parseSpanWrite(row: JsonValue, violations: Violations, path: string, traceIdOverride?: string) {
  if (!isJsonObject(row)) throw unprocessableJson();
  const span = {
    id: optUuid(row, "id"),
    project_name: optString(row, "project_name"),
    trace_id: traceIdOverride ?? optUuid(row, "trace_id"),
    parent_span_id: optUuid(row, "parent_span_id"),
    name: optString(row, "name"),
    type: readSpanType(row, violations, path),
    start_time: optInstant(row, "start_time"),
    end_time: optInstant(row, "end_time"),
    input: optJsonListString(row, "input"),
    output: optJsonListString(row, "output"),
    metadata: optJsonListString(row, "metadata"),
    model: optString(row, "model"),
    provider: optString(row, "provider"),
    tags: optStringSet(row, "tags"),
    usage: optUsage(row, "usage"),
    error_info: readErrorInfo(row, "error_info", violations, `${path}.errorInfo`),
    total_estimated_cost: readCost(row, violations, path),
    total_estimated_cost_version: optString(row, "total_estimated_cost_version"),
    source: optEnum(row, "source", ENTITY_SOURCES),
    environment: optString(row, "environment"),
  };
  if (span.trace_id === undefined) violations.add(`${path}.traceId`, "must not be null");
  if (span.start_time === undefined) violations.add(`${path}.startTime`, "must not be null");
  checkProjectName(violations, `${path}.projectName`, span.project_name);
  return span;
}

export function checkTraceIds(traces: readonly ParsedTrace[]): void {
  for (const trace of traces) requireV7(trace.id, "trace");
}

export function checkSpanIds(spans: readonly ParsedSpan[]): void {
  for (const span of spans) {
    requireV7(span.id, "span");
    requireV7(span.trace_id, "trace");
  }
}

/** A re-sent id replaces the stored row (keeping its creation stamp), like the backend's ReplacingMergeTree. */
export function saveTrace(store: OpikStore, { project_name, ...trace }: ParsedTrace, defaultProject?: string): StoredTrace {
  const project = projectForWrite(store, project_name ?? defaultProject);
  const id = trace.id ?? createUuidV7();
  const previous = store.traces.get(id);
  const stamp = audit();
  const record: StoredTrace = {
    ...stamp,
    ...(previous ? { created_at: previous.created_at, created_by: previous.created_by } : {}),
    ...dropUndefined(trace),
    id,
    project_id: project.id,
    start_time: trace.start_time ?? stamp.created_at,
  };
  store.traces.set(id, record);
  store.projects.set(project.id, { ...project, last_updated_trace_at: stamp.created_at });
  return record;
}

export function saveSpan(store: OpikStore, { project_name, ...span }: ParsedSpan, defaultProject?: string): StoredSpan {
  const project = projectForWrite(store, project_name ?? defaultProject);
  const id = span.id ?? createUuidV7();
  const previous = store.spans.get(id);
  const stamp = audit();
  const record: StoredSpan = {
    ...stamp,
    ...(previous ? { created_at: previous.created_at, created_by: previous.created_by } : {}),
    ...dropUndefined(span),
    id,
    project_id: project.id,
    trace_id: span.trace_id ?? "",
    // A span without a type is stored as general.
    type: span.type ?? "general",
    start_time: span.start_time ?? stamp.created_at,
  };
  store.putSpan(record);
  return record;
}

/** Partial updates: only members the caller sent replace stored ones. */
export function dropUndefined<T extends Record<string, unknown>>(record: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) out[key] = value;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
