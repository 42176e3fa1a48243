import type { SuiteItemOutcome, SuiteOutcome, SuiteRunOutcome } from "../../src/run-result.js";

/** An evaluator as the SDK serializes an LLMJudge: its assertions in `config.schema`. */
export function judgeEvaluator(assertions: string[]): { name: string; type: string; config: unknown } {
  return {
    name: "llm_judge",
    type: "llm_judge",
    config: { version: "1.0.0", name: "llm_judge", schema: assertions.map((a) => ({ name: a, type: "BOOLEAN", description: a })) },
  };
}

export function run(runIndex: number, passed: boolean, output: string, failedReason = "it does not"): SuiteRunOutcome {
  return {
    runIndex,
    passed,
    output,
    assertions: [
      { assertion: "Is polite", passed: true, reason: "polite enough" },
      { assertion: "Mentions the 30-day window", passed, reason: passed ? "says 30 days" : failedReason },
    ],
  };
}

export function item(id: string, input: string, runs: SuiteRunOutcome[], extra: Partial<SuiteItemOutcome> = {}): SuiteItemOutcome {
  const runsPassed = runs.filter((r) => r.passed).length;
  return {
    datasetItemId: id,
    input,
    hasAssertions: true,
    passed: runsPassed >= 2,
    flaky: runsPassed > 0 && runsPassed < runs.length,
    runsPassed,
    runsPerItem: runs.length,
    passThreshold: 2,
    runs,
    ...extra,
  };
}

/** Four items with assertions: one passing, one flaky but passing, one failing that passed on the baseline, one failing. */
export function sampleSuite(): SuiteOutcome {
  const items = [
    item("i1", "Can I return shoes?", [run(0, true, "Yes, within 30 days."), run(1, true, "Yes, within 30 days."), run(2, true, "Yes, 30 days.")]),
    item("i2", "Can I return a hat?", [run(0, true, "Within 30 days."), run(1, false, "Sure!", "no window named"), run(2, true, "30 days.")]),
    item("i3", "Can I return socks?", [run(0, false, "No."), run(1, false, "No."), run(2, false, "No.")], { baselinePassed: true }),
    item("i4", "Where is my parcel?", [run(0, false, "Soon.", "talks about delivery"), run(1, true, "30 days"), run(2, false, "Soon.")], {
      baselinePassed: false,
    }),
    { ...item("i5", "Hello", [run(0, true, "Hi")]), hasAssertions: false, runs: [{ runIndex: 0, passed: true, output: "Hi", assertions: [] }] },
  ];
  return {
    name: "refunds",
    datasetId: "0190a000-0000-7000-8000-000000000001",
    versionId: "0190a000-0000-7000-8000-000000000002",
    versionName: "v2",
    experimentId: "0190a000-0000-7000-8000-000000000003",
    experimentName: "refunds-suite-abc12345-pr7",
    url: "http://opik.test/experiments/3",
    itemsPassed: 2,
    itemsFailed: 2,
    itemsTotal: 5,
    passRate: 0.5,
    minPassRate: 1,
    baseline: { experimentName: "refunds-suite-00000000-evaluate", passRate: 0.75 },
    items,
  };
}
