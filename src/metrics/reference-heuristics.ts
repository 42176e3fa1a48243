/**
 * Comparisons of the output with a reference text (see item-reference.ts):
 * exact_match (1 or 0) and levenshtein_ratio (0 to 1).
 */
import type { Metric, MetricInput } from "../types.js";
import { referenceText } from "./item-reference.js";
import { levenshteinDistance } from "./levenshtein.js";
import { localMetric, preview, type LocalScore } from "./metric-result.js";
import type { MetricSettings } from "./metric-settings.js";

/** Surrounding whitespace is ignored: a trailing newline is not a different answer. */
export function scoreExactMatch(input: MetricInput, settings: MetricSettings["exact_match"]): LocalScore {
  const reference = referenceText(input, settings?.field);
  if ("error" in reference) return reference;
  const equal = input.output.trim() === reference.text.trim();
  return equal
    ? { value: 1, reason: `The output equals ${reference.source}` }
    : {
        value: 0,
        reason: `The output differs from ${reference.source}: expected ${preview(reference.text.trim(), 60)}, got ${preview(input.output.trim(), 60)}`,
      };
}

/** 1 − edit distance ÷ longer length, over the trimmed texts. */
export function scoreLevenshteinRatio(input: MetricInput, settings: MetricSettings["levenshtein_ratio"]): LocalScore {
  const reference = referenceText(input, settings?.field);
  if ("error" in reference) return reference;
  const output = input.output.trim();
  const expected = reference.text.trim();
  const longer = Math.max(Array.from(output).length, Array.from(expected).length);
  if (longer === 0) return { value: 1, reason: `The output and ${reference.source} are both empty` };
  const distance = levenshteinDistance(output, expected);
  return { value: 1 - distance / longer, reason: `${distance} edit(s) from ${reference.source} over ${longer} characters` };
}

export function createExactMatchMetric(settings: MetricSettings["exact_match"]): Metric {
  return localMetric("exact_match", (input) => scoreExactMatch(input, settings));
}

export function createLevenshteinRatioMetric(settings: MetricSettings["levenshtein_ratio"]): Metric {
  return localMetric("levenshtein_ratio", (input) => scoreLevenshteinRatio(input, settings));
}
