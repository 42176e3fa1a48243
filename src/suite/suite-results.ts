import type { AssertionVerdict, FeedbackScore } from "../types.js";
import type { SuiteItemOutcome, SuiteRunOutcome } from "../run-result.js";
import type { ExecutionPolicy } from "./resolve-suite.js";

/** A run passes when every one of its assertions passed (a run without assertions passes, as in the SDK). */
export function runPassed(run: Pick<SuiteRunOutcome, "assertions" | "taskError">): boolean {
  return run.taskError === undefined && run.assertions.every((a) => a.passed);
}

/** The SDK's buildSuiteResult for one item: it passes when at least pass_threshold of its runs pass. */
export function itemVerdict(
  runs: readonly SuiteRunOutcome[],
  policy: ExecutionPolicy,
  hasAssertions: boolean,
): Pick<SuiteItemOutcome, "passed" | "flaky" | "runsPassed" | "hasAssertions"> {
  const runsPassed = runs.filter((run) => run.passed).length;
  return { passed: runsPassed >= policy.passThreshold, flaky: runsPassed > 0 && runsPassed < runs.length, runsPassed, hasAssertions };
}

/** Pass rate over the items with assertions, as the SDK's TestSuiteResult.passRate; null when none has any. */
export function suitePassRate(items: readonly Pick<SuiteItemOutcome, "passed" | "hasAssertions">[]): {
  itemsPassed: number;
  itemsFailed: number;
  passRate: number | null;
} {
  const judged = items.filter((item) => item.hasAssertions);
  const itemsPassed = judged.filter((item) => item.passed).length;
  return { itemsPassed, itemsFailed: judged.length - itemsPassed, passRate: judged.length ? itemsPassed / judged.length : null };
}

/**
 * Which items passed in a baseline run of the suite, read from its experiment items (one per run), under the
 * current policy of each item. A run passed when every assertion result passed and every score is 1: a backend
 * without assertion results holds the verdicts as suite_assertion scores, and a run whose task threw has a 0 score.
 * An item the baseline did not run is absent.
 */
export function baselineItemResults(
  items: readonly { datasetItemId: string; feedbackScores: readonly FeedbackScore[]; assertionResults?: readonly AssertionVerdict[] }[],
  policies: ReadonlyMap<string, { policy: ExecutionPolicy; hasAssertions: boolean }>,
): Map<string, boolean> {
  const runs = new Map<string, boolean[]>();
  for (const item of items) {
    const list = runs.get(item.datasetItemId) ?? [];
    list.push(item.feedbackScores.every((score) => score.value === 1) && (item.assertionResults ?? []).every((result) => result.passed));
    runs.set(item.datasetItemId, list);
  }
  const results = new Map<string, boolean>();
  for (const [id, passes] of runs) {
    const resolved = policies.get(id);
    if (!resolved?.hasAssertions) continue;
    results.set(id, passes.filter(Boolean).length >= resolved.policy.passThreshold);
  }
  return results;
}
