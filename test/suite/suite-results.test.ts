import { describe, expect, it } from "vitest";
import { baselineItemResults, itemVerdict, runPassed, suitePassRate } from "../../src/suite/suite-results.js";
import { run } from "./fixtures.js";

const policy = { runsPerItem: 3, passThreshold: 2 };

describe("suite results, as the SDK's buildSuiteResult", () => {
  it("a run passes when all its assertions pass; a task error fails it; no assertions pass", () => {
    expect(runPassed(run(0, true, "x"))).toBe(true);
    expect(runPassed(run(0, false, "x"))).toBe(false);
    expect(runPassed({ assertions: [], taskError: "boom" })).toBe(false);
    expect(runPassed({ assertions: [] })).toBe(true);
  });

  it("an item passes when at least pass_threshold runs pass, and is flaky when its runs disagree", () => {
    expect(itemVerdict([run(0, true, ""), run(1, true, ""), run(2, true, "")], policy, true)).toEqual({
      passed: true,
      flaky: false,
      runsPassed: 3,
      hasAssertions: true,
    });
    expect(itemVerdict([run(0, true, ""), run(1, false, ""), run(2, true, "")], policy, true)).toEqual({
      passed: true,
      flaky: true,
      runsPassed: 2,
      hasAssertions: true,
    });
    expect(itemVerdict([run(0, false, ""), run(1, true, ""), run(2, false, "")], policy, true)).toEqual({
      passed: false,
      flaky: true,
      runsPassed: 1,
      hasAssertions: true,
    });
    expect(itemVerdict([run(0, false, "")], { runsPerItem: 1, passThreshold: 1 }, true)).toMatchObject({ passed: false, flaky: false });
  });

  it("the pass rate counts items with assertions only, and is null without any", () => {
    const items = [
      { passed: true, hasAssertions: true },
      { passed: false, hasAssertions: true },
      { passed: true, hasAssertions: false },
    ];
    expect(suitePassRate(items)).toEqual({ itemsPassed: 1, itemsFailed: 1, passRate: 0.5 });
    expect(suitePassRate([{ passed: true, hasAssertions: false }])).toEqual({ itemsPassed: 0, itemsFailed: 0, passRate: null });
  });

  it("reads a baseline item's pass from its experiment items (one per run) under the item's policy", () => {
    // Assertion results where the backend keeps them; suite_assertion scores where it does not; a task error's 0 score.
    const result = (passed: boolean) => ({ feedbackScores: [], assertionResults: [{ name: "Is polite", passed }] });
    const score = (value: number) => ({ feedbackScores: [{ name: "Is polite", value, categoryName: "suite_assertion" }] });
    const taskError = { feedbackScores: [{ name: "__opik_task_error__", value: 0 }] };
    const experimentItems = [
      { datasetItemId: "a", ...result(true) },
      { datasetItemId: "a", ...result(true) },
      { datasetItemId: "a", ...result(false) },
      { datasetItemId: "b", ...result(false) },
      { datasetItemId: "b", ...result(true) },
      { datasetItemId: "b", ...taskError },
      { datasetItemId: "c", feedbackScores: [] },
      { datasetItemId: "d", ...score(1) },
      { datasetItemId: "d", ...score(0) },
      { datasetItemId: "d", ...score(1) },
    ];
    const policies = new Map([
      ["a", { policy, hasAssertions: true }],
      ["b", { policy, hasAssertions: true }],
      ["c", { policy, hasAssertions: false }],
      ["d", { policy, hasAssertions: true }],
    ]);
    expect(Object.fromEntries(baselineItemResults(experimentItems, policies))).toEqual({ a: true, b: false, d: true });
  });
});
