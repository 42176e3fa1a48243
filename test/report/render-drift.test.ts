import { describe, expect, it } from "vitest";
import { detectDrift } from "../../src/drift/detect-drift.js";
import type { RunItemScores } from "../../src/drift/types.js";
import type { HistoryRun } from "../../src/history/run-history.js";
import { driftOutcome } from "../../src/core/check-drift.js";
import { driftingInBody, renderDriftIssueBody } from "../../src/report/render-drift-issue.js";
import { renderDriftSection } from "../../src/report/render-drift-section.js";

/** 30 runs of 40 items; output_format drops from run 24 and the traffic stops, hallucination holds. */
function drifted() {
  const runs: HistoryRun[] = [];
  const scores = new Map<string, RunItemScores[]>();
  for (let r = 0; r < 30; r++) {
    const id = `0190a5b2-0000-7000-8000-${String(r).padStart(12, "0")}`;
    const level = r >= 24 ? 0.6 : 0.92;
    scores.set(
      id,
      Array.from({ length: 40 }, (_, i) => ({
        datasetItemId: `0190a5b2-1111-7000-8000-${String(r * 100 + i).padStart(12, "0")}`,
        traceId: `0190a5b2-2222-7000-8000-${String(r * 100 + i).padStart(12, "0")}`,
        scores: [
          { name: "output_format", value: Math.min(1, Math.max(0, level + (((i * 7 + r) % 9) - 4) / 20)) },
          { name: "hallucination", value: (i + r) % 10 === 0 ? 1 : 0 },
        ],
      })),
    );
    const stamp = `20260105-${String(Math.floor(r / 2)).padStart(2, "0")}${r % 2 ? "30" : "00"}00`;
    runs.push({
      experimentId: id,
      experimentName: `charter_validation-eval-${stamp}`,
      datasetId: `ds-${r}`,
      datasetName: `charter-optimization-${stamp}`,
      createdAt: new Date(Date.UTC(2026, 0, 5) + r * 1_800_000).toISOString(),
      url: `https://www.comet.com/opik/acme/experiments/${id}`,
      metrics: {},
      health: { items: 40, spansHarvested: r >= 24 ? 0 : 40 + (r % 4) },
    });
  }
  return detectDrift({ experimentType: "charter_optimization", runs }, scores, { window: 6, reference: 24, minEffect: 0.05 });
}

describe("drift reports", () => {
  it("renders the summary's drift section", async () => {
    const report = drifted();
    expect(report.drifting).toEqual(["output_format", "spans_per_run"]);
    const outcome = { ...driftOutcome(report), issue: { action: "opened" as const, url: "https://github.com/octo-org/hello-world/issues/512" } };
    await expect(renderDriftSection(outcome)).toMatchFileSnapshot("golden/summary-drift.md");
  });

  it("renders the issue body with the chart given, the worst new items, the runs, and the drifting signals kept for the next run", async () => {
    const body = renderDriftIssueBody("charter_optimization", drifted(), {
      chart: "```mermaid\nxychart-beta\n  line [0.92, 0.6]\n```",
      runUrl: "https://github.com/octo-org/hello-world/actions/runs/4242",
    });
    await expect(body).toMatchFileSnapshot("golden/drift-issue.md");
    expect(driftingInBody(body)).toEqual(["output_format", "spans_per_run"]);
  });

  it("says why when there are not enough runs", () => {
    const section = renderDriftSection({
      state: "insufficient-data",
      drifting: [],
      signals: [],
      window: 6,
      reference: 24,
      minEffect: 0.05,
      recentRuns: 3,
      referenceRuns: 0,
      reason: "3 run(s) so far; the recent window needs 6",
    });
    expect(section).toContain("⚪ Not enough runs yet");
    expect(section).toContain("_3 run(s) so far; the recent window needs 6_");
  });
});
