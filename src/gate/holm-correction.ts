/** One metric's test in the family: the one-sided p-value that it got worse. */
export interface FamilyTest {
  name: string;
  pValue: number;
}

export interface HolmDecision {
  name: string;
  pValue: number;
  /** The level this test was held to in Holm's step-down: alpha / (m − rank). */
  level: number;
  rejected: boolean;
}

/**
 * Holm's step-down correction: sorted by p-value, the k-th smallest (from 0)
 * is held to alpha / (m − k), and testing stops at the first that is not
 * rejected. It controls the family-wise error at alpha for any dependence
 * between the metrics, and never rejects less than Bonferroni.
 */
export function holmCorrection(tests: readonly FamilyTest[], alpha: number): HolmDecision[] {
  const m = tests.length;
  const sorted = [...tests].sort((a, b) => a.pValue - b.pValue || a.name.localeCompare(b.name));
  let stopped = false;
  return sorted.map((test, rank) => {
    const level = alpha / (m - rank);
    const rejected = !stopped && test.pValue <= level;
    if (!rejected) stopped = true;
    return { name: test.name, pValue: test.pValue, level, rejected };
  });
}
