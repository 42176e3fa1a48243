import { describe, expect, it } from "vitest";
import { computeVerdict } from "../../src/gate/compute-verdict.js";
import type { GateInput, VerdictState } from "../../src/gate/types.js";
import { baseline, gateInput, item, items, JUDGE_CONFIG, result, settings } from "./fixtures.js";

const thresholds = { hallucination: { max: 0.2 }, output_format: { min: 0.9 } };
const good = items(20, (i) => ({ hallucination: i === 0 ? 1 : 0, output_format: 1 }));

/** One input per state, each the smallest run that lands in it. */
const cases: { name: string; input: GateInput; state: VerdictState; failsStep: boolean }[] = [
  { name: "scores within thresholds", input: gateInput(good, { settings: settings({ thresholds }) }), state: "pass", failsStep: false },
  {
    name: "output_format mean under its minimum",
    input: gateInput(
      items(20, (i) => ({ hallucination: 0, output_format: i % 2 ? 1 : 0.5 })),
      { settings: settings({ thresholds }) },
    ),
    state: "fail-threshold",
    failsStep: true,
  },
  {
    name: "a consistent drop against the baseline",
    input: gateInput(
      items(20, (i) => ({ hallucination: 0, output_format: 0.7 + (i % 3) * 0.01 })),
      { baseline: baseline(items(20, (i) => ({ hallucination: 0, output_format: 0.95 + (i % 2) * 0.05 }))) },
    ),
    state: "fail-regression",
    failsStep: true,
  },
  {
    name: "task errors above max-error-rate",
    input: gateInput([
      ...good.slice(0, 16),
      ...items(4, () => ({})).map((o) => ({ ...o, datasetItemId: `err-${o.datasetItemId}`, taskError: "503 Service Unavailable" })),
    ]),
    state: "error",
    failsStep: true,
  },
  {
    name: "fewer paired items than min-items",
    input: gateInput(good, { baseline: baseline(good.slice(0, 5)) }),
    state: "insufficient-data",
    failsStep: false,
  },
  { name: "a skipped run", input: gateInput([], {}, { status: "skipped" }), state: "skipped", failsStep: false },
];

describe("computeVerdict", () => {
  it.each(cases)("$name → $state", ({ input, state, failsStep }) => {
    const verdict = computeVerdict(input);
    expect(verdict.state).toBe(state);
    expect(verdict.passed).toBe(state === "pass");
    expect(verdict.failsStep).toBe(failsStep);
    if (state !== "pass") expect(verdict.reasons.length).toBeGreaterThan(0);
  });

  it("reads thresholds the metric's way round: a mean above a lower-is-better max fails", () => {
    const verdict = computeVerdict(
      gateInput(
        items(10, (i) => ({ hallucination: i < 3 ? 1 : 0, output_format: 1 })),
        { settings: settings({ thresholds }) },
      ),
    );
    const hallucination = verdict.metrics.find((m) => m.name === "hallucination");
    expect(hallucination).toMatchObject({
      direction: "lower-is-better",
      mean: 0.3,
      count: 10,
      threshold: { max: 0.2 },
      thresholdPassed: false,
      outcome: "fail-threshold",
    });
    expect(hallucination?.reason).toMatch(/above the maximum 0.200/);
  });

  it("reads a custom judge the way the run recorded it: a lower-is-better toxicity that rose is a regression", () => {
    const current = items(20, (i) => ({ toxicity: i < 12 ? 1 : 0 }));
    const earlier = items(20, () => ({ toxicity: 0 }));
    const recorded = {
      ...result().experiment!,
      evalResults: { toxicity: { direction: "lower-is-better" as const, mean: 0.6, min: 0, max: 1, count: 20, failed: 0 } },
    };
    const verdict = computeVerdict(gateInput(current, { baseline: baseline(earlier) }, { experiment: recorded, metrics: ["toxicity"] }));
    expect(verdict.metrics[0]).toMatchObject({ name: "toxicity", direction: "lower-is-better", regression: "regression" });
    expect(verdict.state).toBe("fail-regression");
    expect(verdict.notes.join("\n")).not.toMatch(/not in the metric catalog/);
  });

  it("keeps a threshold written against the metric's direction, and says so", () => {
    const verdict = computeVerdict(gateInput(good, { settings: settings({ thresholds: { hallucination: { min: 0.1 } } }) }));
    expect(verdict.metrics[0]).toMatchObject({ threshold: { min: 0.1 }, thresholdPassed: false });
    expect(verdict.notes.join("\n")).toMatch(/hallucination: the threshold sets a minimum although lower is better/);
  });

  it("fails the step on every applying state in fail-on, not only the most severe", () => {
    const input = gateInput(
      items(20, () => ({ hallucination: 0, output_format: 0.5 })),
      {
        settings: settings({ thresholds, failOn: ["fail-regression"] }),
        baseline: baseline(items(20, () => ({ hallucination: 0, output_format: 1 }))),
      },
    );
    const verdict = computeVerdict(input);
    expect(verdict.state).toBe("fail-threshold");
    expect(verdict.conditions).toEqual(["fail-threshold", "fail-regression"]);
    expect(verdict.failsStep).toBe(true);
    expect(computeVerdict({ ...input, settings: settings({ thresholds, failOn: [] }) }).failsStep).toBe(false);
  });

  it("can fail the step on insufficient data when fail-on asks for it", () => {
    const verdict = computeVerdict(gateInput(good, { baseline: baseline(good.slice(0, 5)), settings: settings({ failOn: ["insufficient-data"] }) }));
    expect(verdict).toMatchObject({ state: "insufficient-data", passed: false, failsStep: true });
    expect(verdict.reasons.join("\n")).toMatch(/only 5 item\(s\) pair with the baseline .* \(min-items 10\)/);
  });

  it("is an error when the pipeline failed, whatever the scores", () => {
    const verdict = computeVerdict(gateInput(good, {}, { status: "failed", errors: ["Opik create experiment failed: 500"] }));
    expect(verdict.state).toBe("error");
    expect(verdict.reasons[0]).toBe("The run failed: Opik create experiment failed: 500");
  });

  it("counts failed scores as errors, and keeps them out of the mean", () => {
    const outcomes = items(10, () => ({ hallucination: 0, output_format: 1 }));
    outcomes[0] = item("item-00", { hallucination: 0 }, { failedMetrics: { output_format: "schema did not compile" } });
    outcomes[1] = item("item-01", { hallucination: 0 }, { failedMetrics: { output_format: "schema did not compile" } });
    const verdict = computeVerdict(gateInput(outcomes, { settings: settings({ maxErrorRate: 0.25 }) }));
    expect(verdict.items).toEqual({ total: 10, taskErrors: 0, failedScores: 2, errorRate: 0.2 });
    expect(verdict.metrics[1]).toMatchObject({ name: "output_format", mean: 1, count: 8, failed: 2 });
    expect(verdict.state).toBe("pass");
    expect(computeVerdict(gateInput(outcomes)).state).toBe("error");
  });

  it("never passes silently on a metric with no scores under a threshold", () => {
    const verdict = computeVerdict(
      gateInput(
        items(10, () => ({ hallucination: 0 })),
        { settings: settings({ thresholds }) },
      ),
    );
    expect(verdict.metrics[1]).toMatchObject({ name: "output_format", mean: null, count: 0, outcome: "insufficient-data" });
    expect(verdict.state).toBe("insufficient-data");
  });

  it("notes thresholds and max-regression entries for metrics the run did not score", () => {
    const verdict = computeVerdict(
      gateInput(good, { settings: settings({ thresholds: { toxicity: { max: 0.1 } }, maxRegression: { perMetric: { toxicity: 0.1 } } }) }),
    );
    expect(verdict.notes).toContain("The threshold on toxicity is ignored: this run does not score it.");
    expect(verdict.notes).toContain("max-regression for toxicity is ignored: this run does not score it.");
    expect(verdict.state).toBe("pass");
  });

  it("says when nothing was gated", () => {
    const verdict = computeVerdict(gateInput(good));
    expect(verdict.state).toBe("pass");
    expect(verdict.metrics.every((m) => m.outcome === "not-gated")).toBe(true);
    expect(verdict.notes).toContain("Nothing was gated: no thresholds apply to this run's metrics and there is no baseline.");
  });

  it("reads a metric missing from the catalog as higher-is-better, and notes it", () => {
    const verdict = computeVerdict(
      gateInput(
        items(10, () => ({ politeness: 0.8 })),
        {},
        { metrics: ["politeness"] },
      ),
    );
    expect(verdict.metrics[0]).toMatchObject({ name: "politeness", direction: "higher-is-better" });
    expect(verdict.notes).toContain("politeness is not in the metric catalog; it is read as higher-is-better.");
  });

  describe("baseline", () => {
    it("pairs on dataset item id and ignores items only one side has", () => {
      const current = items(30, () => ({ hallucination: 0, output_format: 1 }));
      const before = [...items(30, () => ({ hallucination: 0, output_format: 1 })).slice(10), item("only-in-baseline", { hallucination: 1, output_format: 0 })];
      const verdict = computeVerdict(gateInput(current, { baseline: baseline(before) }));
      expect(verdict.metrics[1]).toMatchObject({ pairedCount: 20, baselineMean: 1, delta: 0, ci: [0, 0], regression: "noise" });
    });

    it("calls a small drop with high variance noise: its interval contains 0", () => {
      // Scores swing by ±0.6 item to item; the mean moves by 0.03.
      const before = items(40, (i) => ({ hallucination: 0, output_format: i % 2 ? 0.9 : 0.3 }));
      const now = items(40, (i) => ({ hallucination: 0, output_format: i % 4 === 0 ? 0.3 : i % 4 === 1 ? 0.3 : i % 4 === 2 ? 0.9 : 0.78 }));
      const metric = computeVerdict(gateInput(now, { baseline: baseline(before) })).metrics[1];
      expect(metric?.delta).toBeCloseTo(-0.03, 6);
      expect(metric?.ci?.[0]).toBeLessThan(0);
      expect(metric?.ci?.[1]).toBeGreaterThan(0);
      expect(metric).toMatchObject({ regression: "noise", outcome: "pass" });
      expect(metric?.reason).toMatch(/the interval contains 0, so the drop is noise/);
    });

    it("calls a consistent drop a regression: every item is a little worse", () => {
      const before = items(40, (i) => ({ hallucination: 0, output_format: 0.9 + (i % 5) * 0.02 }));
      const now = items(40, (i) => ({ hallucination: 0, output_format: 0.87 + (i % 5) * 0.02 + (i % 2 ? 0.005 : -0.005) }));
      const verdict = computeVerdict(gateInput(now, { baseline: baseline(before) }));
      const metric = verdict.metrics[1];
      expect(metric?.delta).toBeCloseTo(-0.03, 6);
      expect(metric?.ci?.[1]).toBeLessThan(0);
      expect(metric).toMatchObject({ regression: "regression", outcome: "fail-regression", allowedDrop: 0 });
      expect(verdict.state).toBe("fail-regression");
    });

    it("lets max-regression absorb a significant drop within it", () => {
      const before = items(40, () => ({ hallucination: 0, output_format: 0.9 }));
      const now = items(40, () => ({ hallucination: 0, output_format: 0.87 }));
      const strict = computeVerdict(gateInput(now, { baseline: baseline(before) }));
      const tolerant = computeVerdict(gateInput(now, { baseline: baseline(before), settings: settings({ maxRegression: { default: 0.05, perMetric: {} } }) }));
      expect(strict.state).toBe("fail-regression");
      expect(tolerant.state).toBe("pass");
      expect(tolerant.metrics[1]?.reason).toMatch(/within max-regression 0.050/);
    });

    it("reads regressions the metric's way round: more hallucination is worse, less is an improvement", () => {
      const before = items(30, (i) => ({ hallucination: i % 10 === 0 ? 1 : 0, output_format: 1 }));
      const worse = items(30, (i) => ({ hallucination: i % 2 === 0 ? 1 : 0, output_format: 1 }));
      const better = items(30, () => ({ hallucination: 0, output_format: 1 }));
      expect(computeVerdict(gateInput(worse, { baseline: baseline(before) })).metrics[0]).toMatchObject({
        regression: "regression",
        outcome: "fail-regression",
      });
      const improved = computeVerdict(gateInput(better, { baseline: baseline(before) })).metrics[0];
      expect(improved?.delta).toBeCloseTo(-0.1, 6);
      // Three items of thirty moved: the interval reaches 0, so even this is not a proven improvement.
      expect(improved?.regression).toBe("noise");
      const muchBetter = computeVerdict(gateInput(better, { baseline: baseline(worse) })).metrics[0];
      expect(muchBetter).toMatchObject({ regression: "improvement", outcome: "pass" });
    });

    it("reports but does not gate a baseline judged by another model", () => {
      const before = items(30, () => ({ hallucination: 0, output_format: 1 }));
      const now = items(30, () => ({ hallucination: 1, output_format: 1 }));
      const verdict = computeVerdict(gateInput(now, { baseline: baseline(before, { ...JUDGE_CONFIG_OTHER_MODEL }) }));
      expect(verdict.state).toBe("pass");
      expect(verdict.metrics[0]).toMatchObject({ name: "hallucination", delta: 1, regression: "not-compared", outcome: "not-gated" });
      expect(verdict.metrics[0]?.reason).toMatch(/not gated: judge model gpt-4o in the baseline, gpt-4o-mini now/);
      // The judge model does not change what output_format measures: it is still compared.
      expect(verdict.metrics[1]).toMatchObject({ name: "output_format", regression: "noise" });
      expect(verdict.baseline).toEqual({
        experimentName: "charter_validation-eval-20260203-143052",
        comparable: false,
        why: "judge model gpt-4o in the baseline, gpt-4o-mini now",
      });
    });

    it("treats another dataset version as not comparable for every metric", () => {
      const outcomes = items(20, () => ({ hallucination: 0, output_format: 1 }));
      const verdict = computeVerdict(
        gateInput(outcomes, {
          currentConfig: { ...JUDGE_CONFIG, dataset_version: "v3" },
          baseline: baseline(outcomes, { ...JUDGE_CONFIG, dataset_version: "v2" }),
        }),
      );
      expect(verdict.metrics.map((m) => m.regression)).toEqual(["not-compared", "not-compared"]);
      expect(verdict.baseline?.why).toBe("dataset version v2 in the baseline, v3 now");
    });

    it("does not compare a metric the baseline never scored", () => {
      const outcomes = items(20, () => ({ hallucination: 0, output_format: 1 }));
      const before = items(20, () => ({ hallucination: 0 }));
      const verdict = computeVerdict(gateInput(outcomes, { baseline: baseline(before) }));
      expect(verdict.metrics[1]).toMatchObject({ regression: "not-compared", outcome: "not-gated" });
      expect(verdict.state).toBe("pass");
    });

    it("notes a missing baseline, and makes a named one that does not exist an error", () => {
      const noted = computeVerdict(gateInput(good, { baseline: { missing: "no earlier experiment on the base branch main" } }));
      expect(noted.state).toBe("pass");
      expect(noted.notes).toContain("No baseline: no earlier experiment on the base branch main");
      const problem = computeVerdict(gateInput(good, { baseline: { missing: 'baseline: no experiment named "x" on this dataset', problem: true } }));
      expect(problem.state).toBe("error");
    });

    it("gives the same interval for the same scores, run after run", () => {
      const before = items(50, (i) => ({ hallucination: i % 3 === 0 ? 1 : 0, output_format: 1 }));
      const now = items(50, (i) => ({ hallucination: i % 4 === 0 ? 1 : 0, output_format: 1 }));
      const input = gateInput(now, { baseline: baseline(before) });
      expect(computeVerdict(input).metrics[0]?.ci).toEqual(computeVerdict(input).metrics[0]?.ci);
      expect(computeVerdict({ ...input, bootstrap: { seed: 7 } }).metrics[0]?.ci).not.toEqual(computeVerdict(input).metrics[0]?.ci);
    });
  });
});

const JUDGE_CONFIG_OTHER_MODEL = { judge_provider: "openai", judge_model: "gpt-4o", output_format: { regex: "^Article" } };
