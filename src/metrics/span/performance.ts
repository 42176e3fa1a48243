import type { Metric, MetricInput, SpanRecord } from "../../types.js";
import { localMetric, unscorableMetric, type LocalScore } from "../metric-result.js";
import type { PerformanceBudgets } from "../metric-settings.js";
import { timeMs, traceSpansOf } from "./trace-spans.js";

/**
 * performance (higher is better, 0 to 1): the trace against the feature's
 * budgets (metric_settings.performance).
 * Measured over all the trace's spans:
 * - duration: from the earliest start to the latest end (wall time, so
 *   parallel spans are not added up);
 * - tokens: the sum of each span's `usage.total_tokens`, or of its prompt and
 *   completion (or input and output) tokens when it has no total;
 * - cost: the sum of the spans' `total_estimated_cost`.
 * Each configured budget scores 1 when the measure is within it and
 * budget ÷ measure when over (twice the budget → 0.5, ten times → 0.1). The
 * score is the mean over the configured budgets that could be measured; a
 * budget nothing was recorded for is left out and named in the reason. No
 * measurable budget, or no trace spans → a failed score.
 */
export function scorePerformance(input: MetricInput, budgets: PerformanceBudgets): LocalScore {
  const found = traceSpansOf(input, "performance");
  if ("error" in found) return found;
  const measures: { label: string; budget: number | undefined; actual: number | undefined; unit: (n: number) => string }[] = [
    { label: "duration", budget: budgets.max_duration_ms, actual: wallTimeMs(found.spans), unit: (n) => `${Math.round(n)} ms` },
    { label: "tokens", budget: budgets.max_tokens, actual: totalTokens(found.spans), unit: (n) => `${Math.round(n)} tokens` },
    { label: "cost", budget: budgets.max_cost_usd, actual: totalCost(found.spans), unit: (n) => `$${n.toPrecision(3)}` },
  ];
  const scored: number[] = [];
  const notes: string[] = [];
  const unmeasured: string[] = [];
  for (const { label, budget, actual, unit } of measures) {
    if (budget === undefined) continue;
    if (actual === undefined) {
      unmeasured.push(label);
      continue;
    }
    const score = actual <= budget ? 1 : budget / actual;
    scored.push(score);
    notes.push(`${label} ${unit(actual)} ${actual <= budget ? "within" : "over"} ${unit(budget)}`);
  }
  const missing = unmeasured.length ? `; not recorded by any span: ${unmeasured.join(", ")}` : "";
  if (scored.length === 0) return { error: `performance: nothing to measure against the budgets${missing}` };
  return { value: scored.reduce((sum, score) => sum + score, 0) / scored.length, reason: `${notes.join("; ")}${missing}` };
}

function wallTimeMs(spans: readonly SpanRecord[]): number | undefined {
  let first = Infinity;
  let last = -Infinity;
  for (const span of spans) {
    const start = timeMs(span.startTime);
    const end = timeMs(span.endTime);
    if (start === undefined || end === undefined) continue;
    first = Math.min(first, start);
    last = Math.max(last, end);
  }
  return last >= first ? last - first : undefined;
}

function totalTokens(spans: readonly SpanRecord[]): number | undefined {
  const counts = spans.map((span) => spanTokens(span.usage)).filter((count) => count !== undefined);
  return counts.length ? counts.reduce((sum, count) => sum + count, 0) : undefined;
}

function spanTokens(usage: Record<string, number> | undefined): number | undefined {
  if (!usage) return undefined;
  const number = (key: string): number | undefined => (typeof usage[key] === "number" && Number.isFinite(usage[key]) ? usage[key] : undefined);
  const total = number("total_tokens");
  if (total !== undefined) return total;
  const prompt = number("prompt_tokens") ?? number("input_tokens");
  const completion = number("completion_tokens") ?? number("output_tokens");
  return prompt === undefined && completion === undefined ? undefined : (prompt ?? 0) + (completion ?? 0);
}

function totalCost(spans: readonly SpanRecord[]): number | undefined {
  const costs = spans.map((span) => span.totalEstimatedCost).filter((cost): cost is number => typeof cost === "number" && Number.isFinite(cost));
  return costs.length ? costs.reduce((sum, cost) => sum + cost, 0) : undefined;
}

export function createPerformanceMetric(budgets: PerformanceBudgets | undefined): Metric {
  if (!budgets)
    return unscorableMetric(
      "performance",
      "performance has no budgets: set metric_settings.performance (max_duration_ms, max_tokens, max_cost_usd) in the feature config",
      { needsTraceSpans: true },
    );
  return localMetric("performance", (input) => scorePerformance(input, budgets), { needsTraceSpans: true });
}
