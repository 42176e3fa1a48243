import { z } from "zod";
import type { DatasetItemRecord, ExperimentItemRecord, SpanRecord, TraceRecord } from "../types.js";

/**
 * Parsers for the snake_case rows of Opik's NDJSON streams. Unlike the SDK's
 * own stream parsing, which drops a row it cannot parse, a row that does not
 * fit fails the run: a silently missing span would be a missing dataset item.
 */
const errorInfo = z
  .object({ exception_type: z.string().optional(), message: z.string().optional(), traceback: z.string().optional() })
  .nullish()
  .transform((e) =>
    e
      ? {
          ...(e.exception_type !== undefined ? { exceptionType: e.exception_type } : {}),
          ...(e.message !== undefined ? { message: e.message } : {}),
          ...(e.traceback !== undefined ? { traceback: e.traceback } : {}),
        }
      : undefined,
  );

const feedbackScores = z
  .array(z.object({ name: z.string(), value: z.number(), reason: z.string().nullish() }))
  .nullish()
  .transform((scores) => (scores ?? []).map((s) => ({ name: s.name, value: s.value, ...(s.reason ? { reason: s.reason } : {}) })));

/** Opik's AssertionResult: the assertion in `value`; a result without `passed: true` did not pass. */
const assertionResults = z
  .array(z.object({ value: z.string().nullish(), passed: z.boolean().nullish(), reason: z.string().nullish() }))
  .nullish()
  .transform((results) => (results ?? []).map((r) => ({ name: r.value ?? "", passed: r.passed === true, ...(r.reason ? { reason: r.reason } : {}) })));

const streamError = z.object({ code: z.number().optional(), message: z.string().optional(), errors: z.array(z.string()).optional() });

const spanRow = z.object({
  id: z.string(),
  trace_id: z.string(),
  parent_span_id: z.string().nullish(),
  project_name: z.string().nullish(),
  name: z.string().nullish(),
  type: z.string(),
  start_time: z.string(),
  end_time: z.string().nullish(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  metadata: z.unknown().optional(),
  model: z.string().nullish(),
  provider: z.string().nullish(),
  usage: z.record(z.string(), z.number()).nullish(),
  total_estimated_cost: z.number().nullish(),
  error_info: errorInfo,
  feedback_scores: feedbackScores,
});

const traceRow = z.object({
  id: z.string(),
  name: z.string().nullish(),
  start_time: z.string(),
  output: z.unknown().optional(),
  error_info: errorInfo,
  source: z.string().nullish(),
});

const datasetItemRow = z.object({
  id: z.string(),
  span_id: z.string().nullish(),
  trace_id: z.string().nullish(),
  data: z.record(z.string(), z.unknown()).nullish(),
});

const experimentItemRow = z.object({
  id: z.string(),
  experiment_id: z.string(),
  dataset_item_id: z.string(),
  trace_id: z.string(),
  feedback_scores: feedbackScores,
  assertion_results: assertionResults,
  input: z.unknown().optional(),
  output: z.unknown().optional(),
});

function parseRow<T>(schema: z.ZodType<T>, row: unknown, what: string): T {
  const parsed = schema.safeParse(row);
  if (parsed.success) return parsed.data;
  const asError = streamError.safeParse(row);
  if (asError.success && (asError.data.message || asError.data.errors)) {
    throw new Error(`Opik stream of ${what} returned an error: ${asError.data.message ?? asError.data.errors?.join("; ")}`);
  }
  const issue = parsed.error.issues[0];
  throw new Error(`Opik stream of ${what} returned a row that does not match Opik's schema (${issue?.path.join(".")}: ${issue?.message})`);
}

/** Drops keys whose value is null or undefined, so records carry only what Opik sent. */
function compact<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined && v !== null)) as T;
}

export function toSpanRecord(row: unknown): SpanRecord {
  const s = parseRow(spanRow, row, "spans");
  return compact({
    id: s.id,
    traceId: s.trace_id,
    parentSpanId: s.parent_span_id ?? undefined,
    projectName: s.project_name ?? undefined,
    name: s.name ?? "",
    type: s.type,
    startTime: s.start_time,
    endTime: s.end_time ?? undefined,
    input: s.input,
    output: s.output,
    metadata: s.metadata,
    model: s.model ?? undefined,
    provider: s.provider ?? undefined,
    usage: s.usage ?? undefined,
    totalEstimatedCost: s.total_estimated_cost ?? undefined,
    errorInfo: s.error_info,
    feedbackScores: s.feedback_scores,
  });
}

export function toTraceRecord(row: unknown): TraceRecord {
  const t = parseRow(traceRow, row, "traces");
  return compact({ id: t.id, name: t.name ?? undefined, startTime: t.start_time, output: t.output, errorInfo: t.error_info, source: t.source ?? undefined });
}

export function toDatasetItemRecord(row: unknown): DatasetItemRecord {
  const d = parseRow(datasetItemRow, row, "dataset items");
  return compact({ id: d.id, spanId: d.span_id ?? undefined, traceId: d.trace_id ?? undefined, data: d.data ?? {} });
}

export function toExperimentItemRecord(row: unknown): ExperimentItemRecord {
  const e = parseRow(experimentItemRow, row, "experiment items");
  return {
    id: e.id,
    experimentId: e.experiment_id,
    datasetItemId: e.dataset_item_id,
    traceId: e.trace_id,
    feedbackScores: e.feedback_scores,
    ...(e.assertion_results.length ? { assertionResults: e.assertion_results } : {}),
    ...(e.input === undefined || e.input === null ? {} : { input: e.input }),
    ...(e.output === undefined || e.output === null ? {} : { output: e.output }),
  };
}
