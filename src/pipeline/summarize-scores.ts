import type { MetricSummary } from "../run-result.js";
import type { FeedbackScore } from "../types.js";

export function summarizeScores(
  metricNames: readonly string[],
  scores: readonly FeedbackScore[],
  failures: ReadonlyMap<string, number>,
  directions: Readonly<Record<string, MetricSummary["direction"]>> = {},
): Record<string, MetricSummary> {
  const summary: Record<string, MetricSummary> = {};
  for (const name of metricNames) {
    const values = scores.filter((s) => s.name === name).map((s) => s.value);
    const count = values.length;
    summary[name] = {
      direction: directions[name] ?? "higher-is-better",
      mean: count ? round(values.reduce((a, b) => a + b, 0) / count) : null,
      min: count ? round(Math.min(...values)) : null,
      max: count ? round(Math.max(...values)) : null,
      count,
      failed: failures.get(name) ?? 0,
    };
  }
  return summary;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
