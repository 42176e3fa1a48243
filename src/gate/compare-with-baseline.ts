import type { ItemOutcome } from "../types.js";
import { describeDifference, settingDifferences } from "./compare-configs.js";
import { SCORE_EPSILON } from "./defaults.js";
import { fixed, interval, signed } from "./format-number.js";
import { worsening } from "./metric-direction.js";
import { clusterBootstrap, type ItemCluster } from "./cluster-bootstrap.js";
import { itemsToDetect, minimumDetectableEffect } from "./detectable-effect.js";
import { judgeNoiseBand } from "./judge-noise.js";
import type { BaselineData, Direction, GateInput, MetricOutcome, MetricVerdict } from "./types.js";

/** One-sided level of the regression test: the lower end of the two-sided 95% interval. */
export const REGRESSION_ALPHA = 0.025;

export interface BaselineComparison {
  fields: Pick<
    MetricVerdict,
    "baselineMean" | "delta" | "ci" | "pairedCount" | "allowedDrop" | "regression" | "pValue" | "testLevel" | "mde" | "itemsToResolve" | "judgeNoise"
  >;
  /** What the comparison adds to the metric's outcome; absent when it does not gate. */
  outcome?: MetricOutcome;
  reason: string;
  /** Present when the comparison tested for a regression: what a family correction needs to redo the decision. */
  test?: { pValue: number; worse: number; itemSd: number; stats: string };
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
  const before = runsPerItem(
    baseline.items.flatMap((item) => item.feedbackScores.filter((s) => s.name === name).map((s) => [item.datasetItemId, s.value] as const)),
  );
  if (before.size === 0) {
    return {
      fields: { regression: "not-compared", allowedDrop },
      reason: `the baseline ${baseline.experimentName} has no ${name} scores, so there is nothing to compare`,
    };
  }
  const now = runsPerItem(items.flatMap((item) => currentRuns(item, name).map((value) => [item.datasetItemId, value] as const)));
  // In item id order: the bootstrap resamples by position, so the verdict must not depend on which item finished first.
  const clusters: ItemCluster[] = [...now]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([id, current]) => {
      const reference = before.get(id);
      return reference === undefined ? [] : [{ current, baseline: reference }];
    });
  const pairs = clusters.map((cluster) => [mean(cluster.current), mean(cluster.baseline)] as const);
  const fields: BaselineComparison["fields"] = { pairedCount: pairs.length, allowedDrop, regression: "not-compared" };
  const differences = settingDifferences(name, input.currentConfig ?? {}, baseline.config);

  let bootstrap: ReturnType<typeof clusterBootstrap> | undefined;
  if (pairs.length > 0) {
    fields.baselineMean = pairs.reduce((sum, [, reference]) => sum + reference, 0) / pairs.length;
    const diffs = pairs.map(([value, reference]) => value - reference);
    if (pairs.length >= settings.minItems) {
      bootstrap = clusterBootstrap(clusters, input.bootstrap);
      fields.delta = bootstrap.mean;
      fields.ci = bootstrap.ci;
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
  const itemSd = bootstrap?.itemSd ?? 0;
  const pValue = bootstrap ? (direction === "higher-is-better" ? bootstrap.shareAtLeastZero : bootstrap.shareAtMostZero) : 1;
  fields.pValue = pValue;
  fields.testLevel = REGRESSION_ALPHA;
  fields.mde = minimumDetectableEffect(itemSd, pairs.length, REGRESSION_ALPHA);
  const test = { pValue, worse, itemSd, stats };
  const noise = input.judgeNoise?.[name];
  if (noise) {
    const band = judgeNoiseBand(noise, pairs.length, repeatsOf(clusters, "current"), repeatsOf(clusters, "baseline"));
    fields.judgeNoise = { band, sd: noise.sd, within: Math.abs(delta) <= band + SCORE_EPSILON };
  }
  if (worse > allowedDrop + SCORE_EPSILON && worseLow > 0 && fields.judgeNoise?.within) {
    fields.regression = "noise";
    return {
      fields,
      outcome: "pass",
      test,
      reason: `within the judge's own noise: |Δ| ≤ ${fixed(fields.judgeNoise.band)} measured by re-judging unchanged outputs (${stats})`,
    };
  }
  if (worse > allowedDrop + SCORE_EPSILON && worseLow > 0) {
    fields.regression = "regression";
    return {
      fields,
      outcome: "fail-regression",
      test,
      reason: `worse than the baseline by ${fixed(worse)}, more than max-regression ${fixed(allowedDrop)} (${stats})`,
    };
  }
  if (worse < 0 && worseHigh < 0) {
    fields.regression = "improvement";
    return { fields, outcome: "pass", test, reason: `better than the baseline by ${fixed(-worse)} (${stats})` };
  }
  fields.regression = "noise";
  const toResolve = worse > 0 && worseLow <= 0 ? itemsToDetect(worse, itemSd, REGRESSION_ALPHA) : undefined;
  if (toResolve !== undefined) fields.itemsToResolve = toResolve;
  const why =
    worse > allowedDrop + SCORE_EPSILON
      ? "the interval contains 0, so the drop is noise"
      : worse > 0
        ? `within max-regression ${fixed(allowedDrop)}`
        : "no significant change";
  return { fields, outcome: "pass", test, reason: `${why} (${stats})` };
}

/** An item's scores of one metric, one per run: its repeats when it ran more than once. */
function currentRuns(item: ItemOutcome, name: string): number[] {
  if (item.runs?.length) return item.runs.flatMap((run) => (typeof run.scores[name] === "number" ? [run.scores[name]] : []));
  const score = item.scores[name];
  return score ? [score.value] : [];
}

/** Repeated trials of one item stay together as its cluster, so each item weighs the same and its repeats are resampled with it. */
function runsPerItem(entries: readonly (readonly [string, number])[]): Map<string, number[]> {
  const runs = new Map<string, number[]>();
  for (const [id, value] of entries) {
    if (!Number.isFinite(value)) continue;
    const list = runs.get(id) ?? [];
    list.push(value);
    runs.set(id, list);
  }
  return runs;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** The typical number of runs per item on one side (the harmonic mean, as the variance of a mean of means weighs them). */
function repeatsOf(clusters: readonly ItemCluster[], side: "current" | "baseline"): number {
  if (!clusters.length) return 1;
  return clusters.length / clusters.reduce((sum, cluster) => sum + 1 / Math.max(1, cluster[side].length), 0);
}
