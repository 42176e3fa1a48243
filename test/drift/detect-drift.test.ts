import { describe, expect, it } from "vitest";
import { detectDrift, runsToLoad } from "../../src/drift/detect-drift.js";
import type { DriftSettings, RunItemScores } from "../../src/drift/types.js";
import type { HistoryRun, RunHealth, RunHistory } from "../../src/history/run-history.js";

const SETTINGS: DriftSettings = { window: 6, reference: 24, minEffect: 0.05 };

/** Runs whose output_format items score `level(run)` give or take a fixed pattern of item noise. */
function history(count: number, level: (run: number) => number, health: (run: number) => Partial<RunHealth> = () => ({})) {
  const runs: HistoryRun[] = [];
  const scores = new Map<string, RunItemScores[]>();
  for (let r = 0; r < count; r++) {
    const id = `exp-${r}`;
    scores.set(
      id,
      Array.from({ length: 40 }, (_, i) => ({
        datasetItemId: `item-${r}-${i}`,
        traceId: `trace-${r}-${i}`,
        scores: [{ name: "output_format", value: Math.min(1, Math.max(0, level(r) + (((i * 7 + r * 3) % 11) - 5) / 50)) }],
      })),
    );
    runs.push({
      experimentId: id,
      experimentName: `charter_validation-eval-${r}`,
      datasetId: `ds-${r}`,
      datasetName: `charter-optimization-${r}`,
      createdAt: new Date(Date.UTC(2026, 1, 1) + r * 1_800_000).toISOString(),
      url: `http://opik.test/experiments/${id}`,
      metrics: {},
      health: { items: 40, ...health(r) },
    });
  }
  return { history: { experimentType: "charter_optimization", runs } satisfies RunHistory, scores };
}

describe("detectDrift", () => {
  it("says insufficient-data until both windows have their runs", () => {
    const { history: h, scores } = history(10, () => 0.9);
    const report = detectDrift(h, scores, SETTINGS);
    expect(report).toMatchObject({ state: "insufficient-data", drifting: [] });
    expect(report.reason).toContain("reference needs at least 6");
  });

  it("finds a metric that dropped, names the worst new items and the runs, and reads none on a steady history", () => {
    expect(detectDrift(history(30, () => 0.9).history, history(30, () => 0.9).scores, SETTINGS).state).toBe("none");
    const { history: h, scores } = history(30, (r) => (r >= 24 ? 0.7 : 0.9));
    const report = detectDrift(h, scores, SETTINGS);
    expect(report.state).toBe("drifting");
    expect(report.drifting).toEqual(["output_format"]);
    const signal = report.signals.find((s) => s.name === "output_format")!;
    expect(signal.effect!.worsening).toBeCloseTo(0.2, 2);
    expect(signal.effect!.lowerBound).toBeGreaterThan(0);
    expect(report.recentRuns.map((r) => r.experimentName)).toEqual([24, 25, 26, 27, 28, 29].map((r) => `charter_validation-eval-${r}`));
    expect(report.referenceRuns).toHaveLength(24);
    expect(report.worstItems).toHaveLength(5);
    expect(report.worstItems.every((item) => item.metric === "output_format" && item.value <= 0.6 && item.url.startsWith("http://opik.test/"))).toBe(true);
  });

  it("keeps drifting while a lasting degradation starts to fill the reference window, instead of reading it as noise", () => {
    // Degraded from run 20 on: by run 29 four bad runs sit in the reference, whose plain variance would then swallow the drop.
    const { history: h, scores } = history(30, (r) => (r >= 20 ? 0.3 : 0.9));
    for (let runs = 26; runs <= 30; runs++) {
      const report = detectDrift({ ...h, runs: h.runs.slice(0, runs) }, scores, SETTINGS);
      expect(report.state, `after ${runs} runs`).toBe("drifting");
    }
  });

  it("reads a lower-is-better metric's rise as drift, not its fall", () => {
    const rising = history(30, (r) => (r >= 24 ? 0.3 : 0.1));
    for (const rows of rising.scores.values())
      for (const row of rows) (row as { scores: unknown }).scores = row.scores.map((s) => ({ ...s, name: "hallucination" }));
    expect(detectDrift(rising.history, rising.scores, SETTINGS).drifting).toEqual(["hallucination"]);
    const falling = history(30, (r) => (r >= 24 ? 0.1 : 0.3));
    for (const rows of falling.scores.values())
      for (const row of rows) (row as { scores: unknown }).scores = row.scores.map((s) => ({ ...s, name: "hallucination" }));
    expect(detectDrift(falling.history, falling.scores, SETTINGS).state).toBe("none");
  });

  it("says recovered on the first run that no longer drifts after one that did", () => {
    // Drift from run 24; good again from run 31: the recent window fills with good runs until the check lets go.
    const states: string[] = [];
    for (let count = 30; count <= 40; count++) {
      const { history: h, scores } = history(count, (r) => (r >= 24 && r < 31 ? 0.6 : 0.9));
      states.push(detectDrift(h, scores, SETTINGS).state);
    }
    const firstCalm = states.findIndex((s) => s !== "drifting");
    expect(firstCalm).toBeGreaterThan(0);
    expect(states[firstCalm]).toBe("recovered");
    expect(states.slice(firstCalm + 1).every((s) => s === "none")).toBe(true);
  });

  it("flags stopped traffic and a cost per item that rose by more than a quarter", () => {
    const { history: h, scores } = history(
      30,
      () => 0.9,
      (r) => ({ spansHarvested: r >= 24 ? 0 : 40 + (r % 5), costUsd: r >= 24 ? 0.08 : 0.04 + (r % 3) * 0.001 }),
    );
    const report = detectDrift(h, scores, SETTINGS);
    expect(report.drifting).toEqual(["spans_per_run", "cost_per_item"]);
    expect(report.signals.find((s) => s.name === "spans_per_run")!.note).toBe("traffic stopped: no spans in the last 6 runs");
  });

  it("loads items only for the runs of both windows and the one before them", () => {
    const { history: h } = history(48, () => 0.9);
    const runs = runsToLoad(h, SETTINGS);
    expect(runs).toHaveLength(31);
    expect(runs[0]!.experimentName).toBe("charter_validation-eval-17");
  });
});
