import type { ItemOutcome } from "../types.js";
import { describeDifference, settingDifferences } from "./compare-configs.js";
import { SCORE_EPSILON } from "./defaults.js";
import { fixed, interval, signed } from "./format-number.js";
import { worsening } from "./metric-direction.js";
import { pairedBootstrap } from "./paired-bootstrap.js";
import type { BaselineData, Direction, GateInput, MetricOutcome, MetricVerdict } from "./types.js";

export interface BaselineComparison {
  fields: Pick<MetricVerdict, "baselineMean" | "delta" | "ci" | "pairedCount" | "allowedDrop" | "regression">;
  /** What the comparison adds to the metric's outcome; absent when it does not gate. */
  outcome?: MetricOutcome;
  reason: string;
}

/**
 * One metric against the baseline, paired on dataset item id: only items
 * both runs scored count, so a changed sample of items cannot pass for a
 * changed score.
 */
export function compareWithBaseline(
  name: string,
  direction: Direction,
  items: readonly ItemOutcome[],
  baseline: BaselineData,
  input: GateInput,
): BaselineComparison {
  const { settings } = input;
  const allowedDrop = settings.maxRegression.perMetric[name] ?? settings.maxRegression.default ?? 0;
  const before = meanPerItem(
    baseline.items.flatMap((item) => item.feedbackScores.filter((s) => s.name === name).map((s) => [item.datasetItemId, s.value] as const)),
  );
  if (before.size === 0) {
    return {
      fields: { regression: "not-compared", allowedDrop },
      reason: `the baseline ${baseline.experimentName} has no ${name} scores, so there is nothing to compare`,
    };
  }
  const now = meanPerItem(items.flatMap((item) => (item.scores[name] ? [[item.datasetItemId, item.scores[name].value] as const] : [])));
  // In item id order: the bootstrap resamples by position, so the verdict must not depend on which item finished first.
  const pairs = [...now]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([id, value]) => {
      const reference = before.get(id);
      return reference === undefined ? [] : [[value, reference] as const];
    });
  const fields: BaselineComparison["fields"] = { pairedCount: pairs.length, allowedDrop, regression: "not-compared" };
  const differences = settingDifferences(name, input.currentConfig ?? {}, baseline.config);

  if (pairs.length > 0) {
    fields.baselineMean = pairs.reduce((sum, [, reference]) => sum + reference, 0) / pairs.length;
    const diffs = pairs.map(([value, reference]) => value - reference);
    if (pairs.length >= settings.minItems) {
      const { mean, ci } = pairedBootstrap(diffs, input.bootstrap);
      fields.delta = mean;
      fields.ci = ci;
    } else {
      fields.delta = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    }
  }

  if (differences.length) {
    const delta = fields.delta === undefined ? "" : `Δ ${signed(fields.delta)} shown, `;
    return { fields, reason: `${delta}not gated: ${differences.map(describeDifference).join("; ")}` };
  }
  if (pairs.length < settings.minItems) {
    return {
      fields,
      outcome: "insufficient-data",
      reason: `only ${pairs.length} item(s) pair with the baseline ${baseline.experimentName} (min-items ${settings.minItems})`,
    };
  }

  const delta = fields.delta ?? 0;
  const ci = fields.ci ?? [delta, delta];
  const worse = worsening(direction, delta);
  const worseLow = Math.min(worsening(direction, ci[0]), worsening(direction, ci[1]));
  const worseHigh = Math.max(worsening(direction, ci[0]), worsening(direction, ci[1]));
  const stats = `Δ ${signed(delta)}, 95% CI ${interval(ci)}, ${pairs.length} paired items`;
  if (worse > allowedDrop + SCORE_EPSILON && worseLow > 0) {
    fields.regression = "regression";
    return {
      fields,
      outcome: "fail-regression",
      reason: `worse than the baseline by ${fixed(worse)}, more than max-regression ${fixed(allowedDrop)} (${stats})`,
    };
  }
  if (worse < 0 && worseHigh < 0) {
    fields.regression = "improvement";
    return { fields, outcome: "pass", reason: `better than the baseline by ${fixed(-worse)} (${stats})` };
  }
  fields.regression = "noise";
  const why =
    worse > allowedDrop + SCORE_EPSILON
      ? "the interval contains 0, so the drop is noise"
      : worse > 0
        ? `within max-regression ${fixed(allowedDrop)}`
        : "no significant change";
  return { fields, outcome: "pass", reason: `${why} (${stats})` };
}

/** Repeated trials of one item average into one score, so each item weighs the same. */
function meanPerItem(entries: readonly (readonly [string, number])[]): Map<string, number> {
  const sums = new Map<string, { sum: number; count: number }>();
  for (const [id, value] of entries) {
    if (!Number.isFinite(value)) continue;
    const entry = sums.get(id) ?? { sum: 0, count: 0 };
    entry.sum += value;
    entry.count += 1;
    sums.set(id, entry);
  }
  return new Map([...sums].map(([id, { sum, count }]) => [id, sum / count]));
}
