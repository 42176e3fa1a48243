import type { Metric, MetricInput, SpanRecord } from "../../types.js";
import { localMetric, type LocalScore } from "../metric-result.js";
import { spanErrorText, traceSpansOf } from "./trace-spans.js";

/**
 * error_analysis (higher is better, 0 to 1): 1 − the combined severity of
 * the errors in the trace.
 *
 * Each failed span (one with `error_info`) gets a severity from the first
 * pattern its exception type and message match, case-insensitively; the
 * patterns follow the error patterns of Step 0's cleanup:
 *   retries exhausted (or "max retries")  0.7  a transient failure the code gave up on
 *   rate limit (or "too many requests")   0.2  provider pushback, usually retried
 *   validation                            0.8  malformed data: a defect to fix
 *   timeout (or "timed out")              0.3  transient, usually retried
 *   anything else                         0.5  unknown cause
 * An error on the harvested span itself has severity 1: the call being
 * evaluated failed.
 *
 * Severities combine like independent chances of failure:
 * score = Π (1 − severity) over the failed spans. No errors → 1; one timeout
 * → 0.7; two timeouts → 0.49; an error on the harvested span → 0. No trace
 * spans → a failed score. The reason counts errors by pattern.
 */
const ERROR_SEVERITIES: readonly { pattern: string; test: RegExp; severity: number }[] = [
  { pattern: "retries exhausted", test: /retries exhausted|max(imum)? retries/i, severity: 0.7 },
  { pattern: "rate limit", test: /rate.?limit|too many requests/i, severity: 0.2 },
  { pattern: "validation", test: /validation/i, severity: 0.8 },
  { pattern: "timeout", test: /time.?out|timed out/i, severity: 0.3 },
];
const OTHER = { pattern: "other", severity: 0.5 };
const HARVESTED = { pattern: "harvested span", severity: 1 };

export function classifySpanError(span: SpanRecord, harvestedSpanId: unknown): { pattern: string; severity: number } {
  if (span.id === harvestedSpanId) return HARVESTED;
  const text = spanErrorText(span);
  return ERROR_SEVERITIES.find((entry) => entry.test.test(text)) ?? OTHER;
}

export function scoreErrorAnalysis(input: MetricInput): LocalScore {
  const found = traceSpansOf(input, "error_analysis");
  if ("error" in found) return found;
  const failed = found.spans.filter((span) => span.errorInfo !== undefined);
  if (failed.length === 0) return { value: 1, reason: `No errors in ${found.spans.length} span(s)` };
  const counts = new Map<string, { count: number; severity: number }>();
  let value = 1;
  for (const span of failed) {
    const { pattern, severity } = classifySpanError(span, input.data.span_id);
    value *= 1 - severity;
    const entry = counts.get(pattern) ?? { count: 0, severity };
    entry.count++;
    counts.set(pattern, entry);
  }
  const summary = [...counts].map(([pattern, { count, severity }]) => `${pattern} ×${count} (severity ${severity})`).join(", ");
  return { value, reason: `${failed.length} error(s) in ${found.spans.length} span(s): ${summary}` };
}

export function createErrorAnalysisMetric(): Metric {
  return localMetric("error_analysis", scoreErrorAnalysis, { needsTraceSpans: true });
}
