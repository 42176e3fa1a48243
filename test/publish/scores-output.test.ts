import { describe, expect, it } from "vitest";
import { computeVerdict } from "../../src/gate/compute-verdict.js";
import { summarizeScores } from "../../src/pipeline/summarize-scores.js";
import { scoresOutput } from "../../src/publish/publish-result.js";
import { baseline, gateInput, item, settings } from "../gate/fixtures.js";

// 0.1 + 0.2 + ... in floating point: the kind of sum that gives 0.7000000000000001.
const VALUES = [0.1, 0.2, 0.7, 0.8, 1.0, 0.9, 0.9, 0.1, 0.9, 0.4, 0.7000000000000001];

describe("rounded scores at the edge", () => {
  it("puts rounded means, baselines, deltas and intervals in the scores output, while the gate keeps full precision", () => {
    const outcomes = VALUES.map((value, i) => item(`item-${i}`, { output_format: value }));
    const before = VALUES.map((value, i) => item(`item-${i}`, { output_format: value / 3 }));
    const verdict = computeVerdict(gateInput(outcomes, { settings: settings({ minItems: 5 }), baseline: baseline(before) }, { metrics: ["output_format"] }));
    const metric = verdict.metrics[0]!;
    const exactMean = VALUES.reduce((a, b) => a + b, 0) / VALUES.length;
    expect(metric.mean).toBe(exactMean);
    expect(String(exactMean).length).toBeGreaterThan(8);

    const output = scoresOutput(verdict).output_format as { mean: number; baseline: number; delta: number; ci: [number, number] };
    for (const value of [output.mean, output.baseline, output.delta, ...output.ci]) expect(Math.abs(value * 1e6 - Math.round(value * 1e6))).toBeLessThan(1e-6);
    expect(output.mean).toBe(Math.round(exactMean * 1e6) / 1e6);
    expect(JSON.stringify(output)).not.toMatch(/\d\.\d{7,}/);
  });

  it("rounds the result JSON's min and max as well as its mean", () => {
    const scores = [0.7000000000000001, 0.30000000000000004].map((value) => ({ name: "m", value }));
    expect(summarizeScores(["m"], scores, new Map())).toEqual({ m: { direction: "higher-is-better", mean: 0.5, min: 0.3, max: 0.7, count: 2, failed: 0 } });
  });
});
