import type { Metric, MetricInput } from "../../types.js";
import { localMetric, type LocalScore } from "../metric-result.js";
import { listNames, traceSpansOf } from "./trace-spans.js";

/**
 * execution_quality (higher is better, 0 to 1): the share of the trace's
 * spans that finished without `error_info`.
 * - no failed span → 1; every span failed → 0; 1 of 4 failed → 0.75;
 * - every span counts the same, whatever its type or depth;
 * - no trace spans → a failed score.
 * The reason names the failed spans.
 */
export function scoreExecutionQuality(input: MetricInput): LocalScore {
  const found = traceSpansOf(input, "execution_quality");
  if ("error" in found) return found;
  const { spans } = found;
  const failed = spans.filter((span) => span.errorInfo !== undefined);
  if (failed.length === 0) return { value: 1, reason: `All ${spans.length} span(s) finished without error` };
  return {
    value: (spans.length - failed.length) / spans.length,
    reason: `${failed.length} of ${spans.length} span(s) failed: ${listNames(failed.map((span) => span.name))}`,
  };
}

export function createExecutionQualityMetric(): Metric {
  return localMetric("execution_quality", scoreExecutionQuality, { needsTraceSpans: true });
}
