import { describe, expect, it } from "vitest";
import { computeVerdict } from "../../src/gate/compute-verdict.js";
import { seededRandom } from "../../src/gate/seeded-random.js";
import { MAX_COMMENT_CHARS } from "../../src/report/limits.js";
import { renderComment } from "../../src/report/render-comment.js";
import { renderGateSection } from "../../src/report/render-gate.js";
import type { ItemOutcome } from "../../src/types.js";
import { baseline, gateInput, item, settings } from "../gate/fixtures.js";

const METRICS = ["answer_relevance", "usefulness", "output_format"];

/** 24 items run 3 times each: output_format flips on every fourth item, the others hold steady; the baseline scored once. */
function repeatedRun(count = 24): { current: ItemOutcome[]; before: ItemOutcome[] } {
  const random = seededRandom(5);
  const current: ItemOutcome[] = [];
  const before: ItemOutcome[] = [];
  for (let i = 0; i < count; i++) {
    const id = `item-${String(i).padStart(2, "0")}`;
    const relevance = 0.6 + random() * 0.3;
    const runs = [0, 1, 2].map((r) => ({
      scores: { answer_relevance: relevance - 0.02 + r * 0.01, usefulness: 1, output_format: i % 4 === 0 && r === 1 ? 0 : 1 },
    }));
    const mean = (name: string) => runs.reduce((sum, run) => sum + (run.scores as Record<string, number>)[name]!, 0) / runs.length;
    current.push(item(id, Object.fromEntries(METRICS.map((m) => [m, mean(m)])), { runs, preview: `charter question ${i}` }));
    before.push(item(id, { answer_relevance: relevance + (i % 3 ? 0.01 : -0.03), usefulness: 1, output_format: 1 }));
  }
  return { current, before };
}

describe("renderStatistics", () => {
  it("shows repeats and spread, Holm, the detectable effect, judge noise and the flaky items, as reviewed in golden/gate-section-repeats.md", async () => {
    const { current, before } = repeatedRun();
    const input = gateInput(current, { baseline: baseline(before), settings: settings({ primaryMetrics: ["usefulness"] }) }, { metrics: METRICS });
    const verdict = computeVerdict({ ...input, judgeNoise: { answer_relevance: { sd: 0.04, outputs: 4, judgments: 4 } } });
    expect(verdict.flakyItems).toHaveLength(6);
    const section = renderGateSection(verdict, { items: current });
    expect(section).toContain("Repeats: each item ran 3 times");
    expect(section).toContain("Holm's correction over the 2 metrics");
    expect(section).toContain("usefulness (primary) tested alone");
    expect(section).toContain("**Flaky items** (6:");
    await expect(section).toMatchFileSnapshot("golden/gate-section-repeats.md");
  });

  it("keeps a comment with hundreds of flaky items within GitHub's limit, listing fewer as the budget tightens", () => {
    const { current, before } = repeatedRun(4000);
    const input = gateInput(current, { baseline: baseline(before) }, { metrics: METRICS });
    const verdict = computeVerdict({ ...input, bootstrap: { resamples: 200 } });
    expect(verdict.flakyItems).toHaveLength(1000);
    const comment = renderComment(input.run, verdict, {}, "<!-- marker -->");
    expect(comment.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(comment).toContain("**Flaky items** (1000:");
    expect(comment).toMatch(/… and \d+ more/);
    expect(comment.endsWith("<!-- marker -->\n") || comment.endsWith("<!-- marker -->")).toBe(true);
  });
});
