import { describe, expect, it } from "vitest";
import { withSuiteVerdict } from "../../src/gate/index.js";
import type { GateVerdict } from "../../src/gate/index.js";
import { renderSuiteSection } from "../../src/report/render-suite.js";
import { computeVerdict } from "../../src/gate/compute-verdict.js";
import { commentMarker } from "../../src/report/limits.js";
import { renderComment } from "../../src/report/render-comment.js";
import { renderSummary } from "../../src/report/render-summary.js";
import { settings } from "../gate/fixtures.js";
import { LINKS, scenarios } from "../gate/report-scenarios.js";
import { sampleSuite } from "./fixtures.js";

const passing: GateVerdict = {
  state: "pass",
  passed: true,
  failsStep: false,
  conditions: ["pass"],
  reasons: [],
  metrics: [],
  notes: ["Nothing was gated: no thresholds apply to this run's metrics and there is no baseline."],
  items: { total: 0, taskErrors: 0, failedScores: 0, errorRate: 0 },
  failOn: ["fail-threshold", "fail-regression", "error"],
};

describe("the test suite's report and gate", () => {
  it("lists failing items with input, output and failed assertions with reasons, flaky items marked, as reviewed in golden/suite-section.md", async () => {
    await expect(`${renderSuiteSection(sampleSuite())}\n`).toMatchFileSnapshot("../report/golden/suite-section.md");
  });

  it("shrinks to item names only, as reviewed in golden/suite-section-short.md", async () => {
    await expect(`${renderSuiteSection(sampleSuite(), "short")}\n`).toMatchFileSnapshot("../report/golden/suite-section-short.md");
  });

  it("lists the items that failed on the baseline and pass now, the cases a pull request turned green", () => {
    const suite = sampleSuite();
    suite.items = suite.items.map((i) => (i.datasetItemId === "i1" || i.datasetItemId === "i2" ? { ...i, baselinePassed: false } : i));
    const text = renderSuiteSection(suite);
    expect(text).toContain(
      [
        "Fixed since the baseline (2):",
        "",
        "- **Can I return shoes?** · ✅ fixed (failed on the baseline) · 3/3 runs passed, needs 2",
        "- **Can I return a hat?** · ⚠️ flaky · ✅ fixed (failed on the baseline) · 2/3 runs passed, needs 2",
      ].join("\n"),
    );
    // Listed once: a fixed flaky item is not repeated among the flaky ones.
    expect(text).not.toContain("Flaky items that passed");
    expect(renderSuiteSection(sampleSuite())).not.toContain("Fixed since the baseline");
  });

  it("stays within its budget with many failing items", () => {
    const suite = sampleSuite();
    const failing = suite.items[2];
    if (!failing) throw new Error("fixture");
    suite.items = Array.from({ length: 500 }, (_, n) => ({ ...failing, datasetItemId: `x${n}`, input: "q".repeat(5000) }));
    const text = renderSuiteSection(suite);
    expect(text).toContain("… and 480 more");
    expect(text.length).toBeLessThan(40_000);
  });

  it("fails the gate below min-pass-rate (fail-threshold) and on items that passed on the baseline (fail-regression)", () => {
    const verdict = withSuiteVerdict(passing, sampleSuite());
    expect(verdict).toMatchObject({ state: "fail-threshold", passed: false, failsStep: true, conditions: ["fail-threshold", "fail-regression"] });
    expect(verdict.reasons).toEqual([
      "test suite refunds: pass rate 50% (2 of 4 items) is below min-pass-rate 100%",
      'test suite refunds: 1 item(s) passed on the baseline refunds-suite-00000000-evaluate and fail now: "Can I return socks?"',
    ]);
    expect(verdict.notes).toEqual([]);
  });

  it("passes at or above min-pass-rate, and fails the step only for states in fail-on", () => {
    const suite = { ...sampleSuite(), minPassRate: 0.5, items: sampleSuite().items.map((i) => ({ ...i, baselinePassed: false })) };
    expect(withSuiteVerdict(passing, suite)).toMatchObject({ state: "pass", passed: true, failsStep: false });
    const lenient = withSuiteVerdict({ ...passing, failOn: ["error"] }, sampleSuite());
    expect(lenient).toMatchObject({ state: "fail-threshold", failsStep: false });
    expect(withSuiteVerdict(passing, { ...sampleSuite(), passRate: null, items: [] }).notes[0]).toContain("no item has assertions");
  });
});

describe("a suite run's comment and summary", () => {
  const suiteRun = () => {
    const skipped = scenarios().find((s) => s.state === "skipped");
    if (!skipped) throw new Error("fixture");
    const result = {
      ...skipped.run.result,
      status: "success" as const,
      mode: "evaluate" as const,
      metrics: [],
      datasetName: "refunds",
      cleanupResult: null,
      cleanup: { state: "not-run" as const, reason: "evaluate mode changes no production data" },
      testSuite: sampleSuite(),
    };
    const verdict = withSuiteVerdict(computeVerdict({ run: { result, items: [] }, settings: settings() }), sampleSuite());
    return { run: { result, items: [] }, verdict };
  };

  it("renders the comment of a failed suite gate, as reviewed in golden/comment-suite.md", async () => {
    const { run, verdict } = suiteRun();
    const marker = commentMarker({ workflow: "evals", job: "gate", experimentType: "refunds" });
    await expect(renderComment(run, verdict, LINKS, marker)).toMatchFileSnapshot("../report/golden/comment-suite.md");
  });

  it("renders the job summary of a suite run, as reviewed in golden/summary-suite.md", async () => {
    const { run, verdict } = suiteRun();
    await expect(renderSummary(run.result, verdict)).toMatchFileSnapshot("../report/golden/summary-suite.md");
  });
});
