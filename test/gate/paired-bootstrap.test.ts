import { describe, expect, it } from "vitest";
import { pairedBootstrap } from "../../src/gate/paired-bootstrap.js";
import { seededRandom } from "../../src/gate/seeded-random.js";

describe("pairedBootstrap", () => {
  it("is reproducible for a seed and brackets the mean", () => {
    const random = seededRandom(1);
    const differences = Array.from({ length: 200 }, () => random() - 0.45);
    const first = pairedBootstrap(differences);
    expect(pairedBootstrap(differences)).toEqual(first);
    expect(first.ci[0]).toBeLessThan(first.mean);
    expect(first.ci[1]).toBeGreaterThan(first.mean);
    // Close to the normal interval: mean ± 1.96·sd/√n with sd of U(0,1) ≈ 0.289.
    expect(first.ci[1] - first.ci[0]).toBeGreaterThan(0.06);
    expect(first.ci[1] - first.ci[0]).toBeLessThan(0.1);
  });

  it("gives a point interval when every item moved by the same amount", () => {
    expect(pairedBootstrap([-0.1, -0.1, -0.1])).toEqual({
      mean: expect.closeTo(-0.1, 12) as unknown,
      ci: [expect.closeTo(-0.1, 12), expect.closeTo(-0.1, 12)] as unknown,
    });
  });

  it("handles a large experiment: the exact mean, and a narrow interval around it", () => {
    const differences = Array.from({ length: 10_000 }, (_, i) => (i % 7) / 7 - 0.5);
    const exact = differences.reduce((a, b) => a + b, 0) / differences.length;
    const { mean, ci } = pairedBootstrap(differences);
    expect(mean).toBeCloseTo(exact, 12);
    expect(ci[0]).toBeLessThanOrEqual(mean);
    expect(ci[1]).toBeGreaterThanOrEqual(mean);
    // The standard error of 10,000 values spread over [-0.5, 0.36] is about 0.003: the 95% interval spans about 0.012.
    expect(ci[1] - ci[0]).toBeLessThan(0.02);
  });

  it("refuses an empty sample", () => {
    expect(() => pairedBootstrap([])).toThrow(/at least one/);
  });
});
