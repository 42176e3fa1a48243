import { SCORE_EPSILON, VERDICT_STATES } from "./defaults.js";
import type { GateVerdict, VerdictState } from "./types.js";

/** What the gate reads of a suite run. */
export interface SuiteGateInput {
  name: string;
  passRate: number | null;
  minPassRate: number;
  itemsPassed: number;
  itemsFailed: number;
  items: readonly { datasetItemId: string; input: string; hasAssertions: boolean; passed: boolean; baselinePassed?: boolean }[];
  baseline?: { experimentName: string };
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

/**
 * The suite's part of the gate, added to the verdict of the rest of the run: a pass rate below min-pass-rate
 * is fail-threshold, and an item that passed on the baseline and fails now is fail-regression, each failing
 * the step when fail-on lists it. Pure.
 */
export function withSuiteVerdict(verdict: GateVerdict, suite: SuiteGateInput): GateVerdict {
  const conditions = new Set<VerdictState>(verdict.conditions.filter((c) => c !== "pass"));
  const reasons = [...verdict.reasons];
  // The suite is gated even when no metric is.
  const notes = verdict.notes.filter((note) => !note.startsWith("Nothing was gated"));
  if (suite.passRate === null) {
    notes.push(`Test suite ${suite.name}: no item has assertions, so there is no pass rate to gate.`);
  } else if (suite.passRate < suite.minPassRate - SCORE_EPSILON) {
    conditions.add("fail-threshold");
    reasons.push(
      `test suite ${suite.name}: pass rate ${percent(suite.passRate)} (${suite.itemsPassed} of ${suite.itemsPassed + suite.itemsFailed} items) is below min-pass-rate ${percent(suite.minPassRate)}`,
    );
  }
  const regressed = suite.items.filter((item) => item.hasAssertions && !item.passed && item.baselinePassed === true);
  if (regressed.length) {
    conditions.add("fail-regression");
    reasons.push(
      `test suite ${suite.name}: ${regressed.length} item(s) passed on the baseline${suite.baseline ? ` ${suite.baseline.experimentName}` : ""} and fail now: ${regressed
        .map((item) => JSON.stringify(item.input.slice(0, 60)))
        .join(", ")}`,
    );
  }
  const ordered = VERDICT_STATES.filter((state) => conditions.has(state));
  const state = ordered[0] ?? "pass";
  return {
    ...verdict,
    state,
    passed: state === "pass",
    failsStep: ordered.some((condition) => condition !== "pass" && verdict.failOn.includes(condition)),
    conditions: ordered.length ? ordered : ["pass"],
    reasons,
    notes,
  };
}
