import { describe, expect, it } from "vitest";
import { clusterBootstrap } from "../../src/gate/cluster-bootstrap.js";
import { itemsToDetect, minimumDetectableEffect, normalQuantile } from "../../src/gate/detectable-effect.js";
import { holmCorrection } from "../../src/gate/holm-correction.js";
import { judgeNoiseBand, measureJudgeNoise } from "../../src/gate/judge-noise.js";
import { pairedBootstrap } from "../../src/gate/paired-bootstrap.js";
import { seededRandom } from "../../src/gate/seeded-random.js";

describe("clusterBootstrap", () => {
  it("with one run per item is the paired bootstrap of the differences, draw for draw", () => {
    const random = seededRandom(7);
    const clusters = Array.from({ length: 30 }, () => ({ current: [random()], baseline: [random()] }));
    const paired = pairedBootstrap(clusters.map((c) => c.current[0]! - c.baseline[0]!));
    const cluster = clusterBootstrap(clusters);
    expect(cluster.mean).toBeCloseTo(paired.mean, 12);
    expect(cluster.ci[0]).toBeCloseTo(paired.ci[0], 12);
    expect(cluster.ci[1]).toBeCloseTo(paired.ci[1], 12);
  });

  it("keeps an item's repeats together: wider than treating each repeat as an item of its own", () => {
    // Items differ a lot from one another, repeats of one item little: the information is in the items, not the repeats.
    const random = seededRandom(11);
    const clusters = Array.from({ length: 10 }, () => {
      const effect = random() - 0.5;
      return { current: [0, 1, 2].map(() => effect + (random() - 0.5) * 0.05), baseline: [0] };
    });
    const cluster = clusterBootstrap(clusters);
    const naive = pairedBootstrap(clusters.flatMap((c) => c.current));
    expect(cluster.mean).toBeCloseTo(naive.mean, 12);
    expect(cluster.ci[1] - cluster.ci[0]).toBeGreaterThan(1.4 * (naive.ci[1] - naive.ci[0]));
  });

  it("averages each item's runs before pairing, so an item run three times weighs as one", () => {
    const result = clusterBootstrap([
      { current: [1, 1, 0], baseline: [1] },
      { current: [0], baseline: [0, 0] },
    ]);
    expect(result.mean).toBeCloseTo((2 / 3 - 1 + 0) / 2, 12);
  });

  it("gives one-sided p-values that sum to just over 1 and favour the side the data is on", () => {
    const clusters = Array.from({ length: 20 }, (_, i) => ({ current: [0.5 - (i % 4) * 0.1], baseline: [0.6] }));
    const result = clusterBootstrap(clusters);
    expect(result.shareAtLeastZero).toBeLessThan(0.01);
    expect(result.shareAtMostZero).toBeGreaterThan(0.99);
    expect(result.itemSd).toBeGreaterThan(0);
  });

  it("refuses an empty sample or an item without a score on one side", () => {
    expect(() => clusterBootstrap([])).toThrow(/at least one item/);
    expect(() => clusterBootstrap([{ current: [], baseline: [1] }])).toThrow(/at least one score/);
  });
});

describe("holmCorrection", () => {
  it("holds the k-th smallest p-value to alpha / (m − k) and stops at the first it keeps", () => {
    const decisions = holmCorrection(
      [
        { name: "a", pValue: 0.01 },
        { name: "b", pValue: 0.04 },
        { name: "c", pValue: 0.03 },
        { name: "d", pValue: 0.005 },
      ],
      0.05,
    );
    expect(decisions).toEqual([
      { name: "d", pValue: 0.005, level: 0.0125, rejected: true },
      { name: "a", pValue: 0.01, level: 0.05 / 3, rejected: true },
      { name: "c", pValue: 0.03, level: 0.025, rejected: false },
      // 0.04 ≤ 0.05 on its own, but Holm stops at c.
      { name: "b", pValue: 0.04, level: 0.05, rejected: false },
    ]);
  });

  it("with one test is the uncorrected test", () => {
    expect(holmCorrection([{ name: "a", pValue: 0.02 }], 0.025)).toEqual([{ name: "a", pValue: 0.02, level: 0.025, rejected: true }]);
  });
});

describe("minimum detectable effect", () => {
  it("inverts the normal distribution function", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    expect(normalQuantile(0.5)).toBe(0);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });

  it("is (z₀.₉₇₅ + z₀.₈) · sd / √n at 2.5% one-sided and 80% power, and shrinks with √n", () => {
    expect(minimumDetectableEffect(0.3, 36, 0.025)).toBeCloseTo((2.801585 * 0.3) / 6, 5);
    expect(minimumDetectableEffect(0.3, 144, 0.025)).toBeCloseTo(minimumDetectableEffect(0.3, 36, 0.025) / 2, 10);
    // A stricter level (a Holm step) needs a larger effect.
    expect(minimumDetectableEffect(0.3, 36, 0.025 / 3)).toBeGreaterThan(minimumDetectableEffect(0.3, 36, 0.025));
  });

  it("sizes the sample that would resolve an inconclusive change: the MDE formula solved for n", () => {
    const n = itemsToDetect(0.05, 0.3, 0.025)!;
    expect(n).toBe(Math.ceil(((2.801585 * 0.3) / 0.05) ** 2));
    expect(minimumDetectableEffect(0.3, n, 0.025)).toBeLessThanOrEqual(0.05);
    expect(minimumDetectableEffect(0.3, n - 1, 0.025)).toBeGreaterThan(0.05);
    expect(itemsToDetect(0, 0.3, 0.025)).toBeUndefined();
  });
});

describe("judge noise", () => {
  it("is the pooled within-output spread: differences between outputs are not noise", () => {
    const noise = measureJudgeNoise([
      [1, 1, 1],
      [0, 0, 0],
      [1, 0, 1],
    ])!;
    expect(noise.outputs).toBe(3);
    expect(noise.judgments).toBe(3);
    // Only the third output varies: squares 2/3 over 6 degrees of freedom.
    expect(noise.sd).toBeCloseTo(Math.sqrt(2 / 3 / 6), 12);
    expect(measureJudgeNoise([[1]])).toBeUndefined();
  });

  it("bounds the mean change judge noise alone makes on n items at 95%", () => {
    expect(judgeNoiseBand({ sd: 0.5, outputs: 3, judgments: 3 }, 6)).toBeCloseTo((1.959964 * 0.5 * Math.SQRT2) / Math.sqrt(6), 5);
    // Repeats average the judge's noise away.
    expect(judgeNoiseBand({ sd: 0.5, outputs: 3, judgments: 3 }, 6, 3, 3)).toBeCloseTo(
      judgeNoiseBand({ sd: 0.5, outputs: 3, judgments: 3 }, 6) / Math.sqrt(3),
      10,
    );
  });
});
