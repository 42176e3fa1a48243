import { describe, expect, it } from "vitest";
import type { HistoryRun, RunHistory } from "../../src/history/run-history.js";
import { MAX_COMMENT_CHARS } from "../../src/report/limits.js";
import { renderTrendComment, renderTrendSection, sparkline, withCommentTrend } from "../../src/report/render-trends.js";
import { scenarios } from "../gate/report-scenarios.js";

/** The fail-regression scenario gates output_format at min 0.9 and judges hallucination (lower is better). */
const scenario = scenarios().find((s) => s.state === "fail-regression");
if (!scenario) throw new Error("missing scenario");
const verdict = scenario.verdict;

const OUTPUT_FORMAT = [0.95, 0.92, 1, 0.9, 0.88, 0.93, 0.97, 0.85];
const HALLUCINATION = [0.1, 0.05, 0.08, 0.12, 0.2, 0.1, 0.05, 0.3];

function run(i: number, metrics: Record<string, number> = { output_format: OUTPUT_FORMAT[i % 8] ?? 0, hallucination: HALLUCINATION[i % 8] ?? 0 }): HistoryRun {
  const createdAt = new Date(Date.UTC(2026, 10, 1, 0, 30 * i)).toISOString();
  return {
    experimentId: `0195c0c0-0000-7000-8000-${String(i).padStart(12, "0")}`,
    experimentName: `charter_optimization-eval-${createdAt.slice(0, 16)}`,
    datasetId: "0195d0d0-0000-7000-8000-000000000001",
    datasetName: `charter_optimization-${i}`,
    createdAt,
    url: `https://www.comet.com/opik/ocapistaine/experiments/${i}`,
    metrics: Object.fromEntries(Object.entries(metrics).map(([name, mean]) => [name, { mean, count: 12 }])),
    health: { items: 12, spansHarvested: 12 + (i % 3), errorTracesDeleted: i % 2, judgeFailures: i === 4 ? 2 : 0, costUsd: 0.0125 * (1 + (i % 4)) },
  };
}

const history = (count: number, make: (i: number) => HistoryRun = (i) => run(i)): RunHistory => ({
  experimentType: "charter_optimization",
  runs: Array.from({ length: count }, (_, i) => make(i)),
});

describe("trend charts", () => {
  it("draws a sparkline on eight heights, flat when nothing moves", () => {
    expect(sparkline([0, 0.5, 1])).toBe("▁▅█");
    expect(sparkline([0.7, 0.7])).toBe("▄▄");
    expect(sparkline([])).toBe("");
  });

  it("renders the summary's section: a chart per metric with the threshold as a line, sparklines, and the runs' health", async () => {
    const section = renderTrendSection(history(8), verdict, 1024 * 1024);
    await expect(section).toMatchFileSnapshot("golden/trends-summary.md");
    expect(section).toContain("line [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]");
    expect(section).toContain("first 0.95 · last 0.85 · min 0.85 · max 1 · threshold min 0.9");
  });

  it("shows fewer runs, then health as sparklines only, then fewer metrics, to stay within the summary's budget", async () => {
    const long = history(48);
    const full = renderTrendSection(long, verdict, 1024 * 1024);
    const budget = Math.floor(Buffer.byteLength(full) / 2);
    const fewerRuns = renderTrendSection(long, verdict, budget);
    expect(Buffer.byteLength(fewerRuns)).toBeLessThanOrEqual(budget);
    expect(fewerRuns).toMatch(/\(\d+ of the 48 read are shown, to stay within the job summary's size limit\)/);
    await expect(fewerRuns).toMatchFileSnapshot("golden/trends-summary-fewer-runs.md");

    const tight = 1000;
    const fewerMetrics = renderTrendSection(long, verdict, tight);
    expect(Buffer.byteLength(fewerMetrics)).toBeLessThanOrEqual(tight);
    expect(fewerMetrics).toContain("1 more metric(s) left out");
    expect(fewerMetrics).not.toContain("bar [");
    await expect(fewerMetrics).toMatchFileSnapshot("golden/trends-summary-fewer-metrics.md");

    expect(renderTrendSection(long, verdict, 100)).toBe("");
  });

  it("renders nothing without history, and leaves out a metric no run recorded a mean for", () => {
    expect(renderTrendSection(undefined, verdict, 1024 * 1024)).toBe("");
    expect(renderTrendSection(history(0), verdict, 1024 * 1024)).toBe("");
    const onlyFormat = renderTrendSection(
      history(3, (i) => run(i, { output_format: 0.9 })),
      verdict,
      1024 * 1024,
    );
    expect(onlyFormat).toContain("### output\\_format");
    expect(onlyFormat).not.toContain("### hallucination");
  });

  it("renders the comment's small chart with the pull request's value as the last point and a bar", async () => {
    const trend = renderTrendComment(history(20), verdict, MAX_COMMENT_CHARS);
    await expect(trend).toMatchFileSnapshot("golden/trends-comment.md");
    const outputFormat = verdict.metrics.find((m) => m.name === "output_format");
    expect(trend).toContain(`**this PR ${Math.round((outputFormat?.mean ?? 0) * 1000) / 1000}**`);
    // The comment shows the last twelve scheduled runs, then the PR.
    expect(trend.match(/x-axis \[([^\]]*)\]/)?.[1]?.split(", ")).toHaveLength(13);
    expect(renderTrendComment(history(20), verdict, 600)).toBe("");
  });

  it("inserts the trend before the comment's marker, only when the comment stays within GitHub's limit", () => {
    const marker = "<!-- opik-evaluate x -->";
    expect(withCommentTrend(`body\n${marker}`, "trend\n", marker, 100)).toBe(`body\ntrend\n\n${marker}`);
    expect(withCommentTrend(`body\n${marker}`, "trend\n", marker, 20)).toBe(`body\n${marker}`);
  });
});
