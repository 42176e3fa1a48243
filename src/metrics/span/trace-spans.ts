import type { MetricInput, SpanRecord } from "../../types.js";

/**
 * Helpers shared by the span metrics. Their scope is the harvested span's
 * whole trace as the runner fetched it (`traceSpans`): the span itself, its
 * children, and its siblings with theirs, since an LLM span harvested from an
 * agent usually has the agent's tool calls beside it rather than below it.
 */

/** The trace's spans, or why a span metric cannot score this item. */
export function traceSpansOf(input: MetricInput, metric: string): { spans: readonly SpanRecord[] } | { error: string } {
  if (input.traceSpans === undefined) return { error: `${metric} needs the trace's spans, and none were fetched for this item` };
  if (input.traceSpans.length === 0) return { error: `${metric}: the trace ${traceIdOf(input)}has no spans in Opik` };
  return { spans: input.traceSpans };
}

function traceIdOf(input: MetricInput): string {
  return typeof input.data.trace_id === "string" ? `${input.data.trace_id} ` : "";
}

/** Milliseconds since the epoch, or undefined for a missing or unreadable time. */
export function timeMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The error text of a failed span: exception type and message, or a placeholder when Opik recorded neither. */
export function spanErrorText(span: SpanRecord): string {
  const info = span.errorInfo;
  return [info?.exceptionType, info?.message].filter(Boolean).join(": ") || "error (no message)";
}

/** Span names for a reason: the first few, then a count. */
export function listNames(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).map((name) => name || "(unnamed)");
  return names.length > max ? `${shown.join(", ")} and ${names.length - max} more` : shown.join(", ");
}
