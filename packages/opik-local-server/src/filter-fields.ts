import type { FieldTable, ScoreLike } from "./filters.js";
import { instantMillis } from "./instant.js";
import type { OpikStore, StoredSpan, StoredTrace } from "./store.js";

/** Columns the backend lets `filters` address on spans (SpanField) and traces (TraceField). */

const CUSTOM = {
  type: "CUSTOM",
  string: { input: "input", output: "output" },
  dictionary: { input: "input_json", output: "output_json" },
} as const;

/** Serialized JSON text of a column, '' when empty: what `ilike(input, ...)` sees. */
export function jsonText(value: unknown): string {
  return value === undefined || value === null ? "" : JSON.stringify(value);
}

/** Milliseconds between start and end; 0 without an end, like the backend's duration expression. */
export function durationMillis(entity: { start_time: string; end_time?: string }): number {
  if (!entity.end_time) return 0;
  return instantMillis(entity.end_time) - instantMillis(entity.start_time);
}

export function spanFilterFields(store: OpikStore): FieldTable<StoredSpan> {
  return {
    id: { type: "STRING", read: (s) => s.id },
    name: { type: "STRING", read: (s) => s.name ?? "" },
    start_time: { type: "DATE_TIME", read: (s) => instantMillis(s.start_time) },
    end_time: { type: "DATE_TIME", read: (s) => (s.end_time ? instantMillis(s.end_time) : undefined) },
    created_at: { type: "DATE_TIME", read: (s) => instantMillis(s.created_at) },
    last_updated_at: { type: "DATE_TIME", read: (s) => instantMillis(s.last_updated_at) },
    input: { type: "STRING", read: (s) => jsonText(s.input) },
    output: { type: "STRING", read: (s) => jsonText(s.output) },
    input_json: { type: "DICTIONARY", read: (s) => s.input },
    output_json: { type: "DICTIONARY", read: (s) => s.output },
    metadata: { type: "DICTIONARY", read: (s) => s.metadata },
    model: { type: "STRING", read: (s) => s.model ?? "" },
    provider: { type: "STRING", read: (s) => s.provider ?? "" },
    total_estimated_cost: { type: "NUMBER", read: (s) => s.total_estimated_cost ?? 0 },
    tags: { type: "LIST", read: (s) => s.tags ?? [] },
    "usage.completion_tokens": { type: "NUMBER", read: (s) => s.usage?.completion_tokens ?? 0 },
    "usage.prompt_tokens": { type: "NUMBER", read: (s) => s.usage?.prompt_tokens ?? 0 },
    "usage.total_tokens": { type: "NUMBER", read: (s) => s.usage?.total_tokens ?? 0 },
    feedback_scores: { type: "FEEDBACK_SCORES_NUMBER", read: (s) => store.visibleScores("span", s.id, s.project_id) },
    duration: { type: "NUMBER", read: durationMillis },
    // Time to first token is never recorded here: NULL, so every comparison is false.
    ttft: { type: "NUMBER", read: () => undefined },
    error_info: { type: "ERROR_CONTAINER", read: (s) => s.error_info !== undefined },
    error_type: { type: "STRING", read: (s) => s.error_info?.exception_type ?? "" },
    type: { type: "ENUM", read: (s) => s.type },
    source: { type: "ENUM", read: (s) => s.source ?? "" },
    environment: { type: "ENUM", read: (s) => s.environment ?? "" },
    trace_id: { type: "STRING", read: (s) => s.trace_id },
    custom: CUSTOM,
  };
}

export function traceFilterFields(store: OpikStore): FieldTable<StoredTrace> {
  const spans = (t: StoredTrace) => store.spansOfTraceInProject(t);
  const usage = (t: StoredTrace, key: string) => spans(t).reduce((sum, s) => sum + (s.usage?.[key] ?? 0), 0);
  return {
    id: { type: "STRING", read: (t) => t.id },
    name: { type: "STRING", read: (t) => t.name ?? "" },
    start_time: { type: "DATE_TIME", read: (t) => instantMillis(t.start_time) },
    end_time: { type: "DATE_TIME", read: (t) => (t.end_time ? instantMillis(t.end_time) : undefined) },
    created_at: { type: "DATE_TIME", read: (t) => instantMillis(t.created_at) },
    last_updated_at: { type: "DATE_TIME", read: (t) => instantMillis(t.last_updated_at) },
    input: { type: "STRING", read: (t) => jsonText(t.input) },
    output: { type: "STRING", read: (t) => jsonText(t.output) },
    input_json: { type: "DICTIONARY", read: (t) => t.input },
    output_json: { type: "DICTIONARY", read: (t) => t.output },
    metadata: { type: "DICTIONARY", read: (t) => t.metadata },
    total_estimated_cost: { type: "NUMBER", read: (t) => spans(t).reduce((sum, s) => sum + (s.total_estimated_cost ?? 0), 0) },
    llm_span_count: { type: "NUMBER", read: (t) => spans(t).filter((s) => s.type === "llm").length },
    tags: { type: "LIST", read: (t) => t.tags ?? [] },
    "usage.completion_tokens": { type: "NUMBER", read: (t) => usage(t, "completion_tokens") },
    "usage.prompt_tokens": { type: "NUMBER", read: (t) => usage(t, "prompt_tokens") },
    "usage.total_tokens": { type: "NUMBER", read: (t) => usage(t, "total_tokens") },
    feedback_scores: { type: "FEEDBACK_SCORES_NUMBER", read: (t) => store.visibleScores("trace", t.id, t.project_id) },
    span_feedback_scores: { type: "FEEDBACK_SCORES_NUMBER", read: (t) => averageSpanScores(store, spans(t)) },
    duration: { type: "NUMBER", read: durationMillis },
    ttft: { type: "NUMBER", read: () => undefined },
    thread_id: { type: "STRING", read: (t) => t.thread_id ?? "" },
    error_info: { type: "ERROR_CONTAINER", read: (t) => t.error_info !== undefined },
    error_type: { type: "STRING", read: (t) => t.error_info?.exception_type ?? "" },
    source: { type: "ENUM", read: (t) => t.source ?? "" },
    environment: { type: "ENUM", read: (t) => t.environment ?? "" },
    custom: CUSTOM,
  };
}

/** A trace's `span_feedback_scores`: its spans' scores averaged per name. */
export function averageSpanScores(store: OpikStore, spans: readonly StoredSpan[]): ScoreLike[] {
  const sums = new Map<string, { total: number; count: number }>();
  for (const span of spans) {
    for (const score of store.visibleScores("span", span.id, span.project_id)) {
      const entry = sums.get(score.name) ?? { total: 0, count: 0 };
      entry.total += score.value;
      entry.count += 1;
      sums.set(score.name, entry);
    }
  }
  return [...sums].map(([name, { total, count }]) => ({ name, value: total / count }));
}
