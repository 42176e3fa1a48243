import { errorMessage } from "../errors.js";
import type { Metric, MetricInput, MetricResult } from "../types.js";

/** What a local metric's scoring function returns: a score, or why there is none. */
export type LocalScore = { value: number; reason: string } | { error: string };

/**
 * A metric from a synchronous scoring function. A thrown error becomes a
 * failed score, so one bad item never stops the others.
 */
export function localMetric(name: string, score: (input: MetricInput) => LocalScore, options: { needsTraceSpans?: boolean } = {}): Metric {
  return {
    name,
    ...(options.needsTraceSpans ? { needsTraceSpans: true } : {}),
    score(input): Promise<MetricResult> {
      try {
        return Promise.resolve(toResult(name, score(input)));
      } catch (error) {
        return Promise.resolve({ name, ok: false, error: errorMessage(error) });
      }
    },
  };
}

/** A metric that can never score, e.g. for lack of a setting: every item gets the same failed score. */
export function unscorableMetric(name: string, error: string, options: { needsTraceSpans?: boolean } = {}): Metric {
  return localMetric(name, () => ({ error }), options);
}

function toResult(name: string, score: LocalScore): MetricResult {
  return "error" in score ? { name, ok: false, error: score.error } : { name, ok: true, value: roundScore(score.value), reason: score.reason };
}

/** Four decimals: enough for any gate, and stable across platforms' float noise. */
function roundScore(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** A short, single-line quote of some text for a reason or an error. */
export function preview(text: string, max = 80): string {
  const line = text.replace(/\s+/g, " ").trim();
  return JSON.stringify(line.length > max ? `${line.slice(0, max - 1)}…` : line);
}
