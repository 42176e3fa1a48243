import type { BaselineComparison } from "./compare-with-baseline.js";
import { REGRESSION_ALPHA } from "./compare-with-baseline.js";
import { itemsToDetect, minimumDetectableEffect } from "./detectable-effect.js";
import { fixed } from "./format-number.js";
import { holmCorrection } from "./holm-correction.js";
import type { GateVerdict } from "./types.js";

/**
 * Holm's correction over the metrics gated on regression (every compared
 * metric that is not primary): with three metrics each tested at 2.5%, an
 * unchanged pull request would fail about 7% of the time; Holm keeps the
 * family's false failures at 2.5%. A primary metric keeps its own level.
 * Rewrites the comparisons in place: a drop no longer significant after
 * correction becomes noise, and the detectable effect is restated at the
 * level each metric was held to.
 */
export function correctForFamily(comparisons: ReadonlyMap<string, BaselineComparison>, primary: readonly string[]): NonNullable<GateVerdict["correction"]> {
  const tested = [...comparisons].filter(([, comparison]) => comparison.test !== undefined);
  const family = tested.filter(([name]) => !primary.includes(name)).map(([name]) => name);
  const primaryTested = tested.filter(([name]) => primary.includes(name)).map(([name]) => name);
  if (family.length < 2) return { method: "none", family, primary: primaryTested };
  const decisions = holmCorrection(
    family.map((name) => ({ name, pValue: comparisons.get(name)?.test?.pValue ?? 1 })),
    REGRESSION_ALPHA,
  );
  for (const decision of decisions) {
    const comparison = comparisons.get(decision.name);
    const test = comparison?.test;
    if (!comparison || !test) continue;
    const { fields } = comparison;
    fields.testLevel = decision.level;
    fields.mde = minimumDetectableEffect(test.itemSd, fields.pairedCount ?? 0, decision.level);
    if (fields.itemsToResolve !== undefined) {
      const resolve = itemsToDetect(test.worse, test.itemSd, decision.level);
      if (resolve !== undefined) fields.itemsToResolve = resolve;
    }
    if (fields.regression === "regression" && !decision.rejected) {
      fields.regression = "noise";
      comparison.outcome = "pass";
      const resolve = itemsToDetect(test.worse, test.itemSd, decision.level);
      if (resolve !== undefined) fields.itemsToResolve = resolve;
      comparison.reason = `worse by ${fixed(test.worse)}, but not significant after Holm's correction over ${family.length} metrics (p ${fixed(decision.pValue)} > ${fixed(decision.level)}) (${test.stats})`;
    }
  }
  return { method: "holm", family, primary: primaryTested };
}
