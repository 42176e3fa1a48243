import { describe, expect, it } from "vitest";
import type { RunResult } from "../../src/run-result.js";
import { renderGateSection } from "../../src/report/render-gate.js";
import { SUMMARY_BUDGET_BYTES } from "../../src/report/limits.js";
import { renderSummary } from "../../src/report/render-summary.js";
import { rejectedConfigResult } from "../../src/pipeline/rejected-config-result.js";
import { result } from "../gate/fixtures.js";
import { scenarios } from "../gate/report-scenarios.js";

// The shared fixture run, with the scores, errors and usage this report shows.
const fixture = result();
const base: RunResult = result({
  experiment: {
    ...fixture.experiment!,
    taskErrors: 1,
    evalResults: {
      hallucination: { direction: "lower-is-better", mean: 0.090909, min: 0, max: 1, count: 11, failed: 0 },
      output_format: { direction: "higher-is-better", mean: 0.875, min: 0.25, max: 1, count: 10, failed: 1 },
    },
  },
  errors: ["span 0194 (dataset item 0195): gemini gemini-2.0-flash: 503 Service Unavailable"],
  warnings: ["output_format failed on dataset item 0196: <script>alert(1)</script> | @octocat #12"],
});

describe("renderSummary", () => {
  it("renders a successful run", async () => {
    await expect(renderSummary(base)).toMatchFileSnapshot("golden/summary-success.md");
  });

  it("renders a skipped run without cleanup", async () => {
    const skipped: RunResult = {
      ...base,
      status: "skipped",
      cleanupErrors: false,
      cleanupResult: null,
      cleanup: { state: "off" },
      spansNew: 0,
      datasetName: null,
      experiment: null,
      errors: [],
      warnings: [],
    };
    await expect(renderSummary(skipped)).toMatchFileSnapshot("golden/summary-skipped.md");
  });

  it("escapes span content: no raw HTML, no table breaks, no pings", () => {
    const markdown = renderSummary(base);
    expect(markdown).not.toContain("<script>");
    expect(markdown).toContain("&lt;script&gt;");
    expect(markdown).toContain("\\|");
    expect(markdown).not.toMatch(/@octocat/);
    expect(markdown).not.toMatch(/#12/);
  });

  it("stays within GitHub's summary size limit however many errors there are", () => {
    const huge: RunResult = { ...base, errors: Array.from({ length: 50_000 }, (_, i) => `item ${i}: ${"x".repeat(400)}`) };
    const markdown = renderSummary(huge);
    expect(Buffer.byteLength(markdown)).toBeLessThanOrEqual(SUMMARY_BUDGET_BYTES);
    expect(markdown).toContain("and 49980 more");
  });

  it("heads a run that the gate fails with the step's outcome, not the run's success", async () => {
    const failing = scenarios().find((s) => s.state === "fail-threshold");
    if (!failing) throw new Error("no fail-threshold scenario");
    expect(failing.verdict.failsStep).toBe(true);
    const experiment = failing.run.result.experiment!;
    const values = (name: string): number[] => failing.run.items.flatMap((i) => (i.scores[name] ? [i.scores[name].value] : []));
    const evalResults = Object.fromEntries(
      failing.verdict.metrics.map((m) => [
        m.name,
        { direction: m.direction, mean: m.mean, min: Math.min(...values(m.name)), max: Math.max(...values(m.name)), count: m.count, failed: m.failed },
      ]),
    );
    const run = { ...failing.run.result, experiment: { ...experiment, evalResults } };
    // As the job summary shows it: the run's section, then the gate's.
    const markdown = `${renderSummary(run, failing.verdict)}\n${renderGateSection(failing.verdict, { items: failing.run.items })}`;
    expect(markdown.split("\n")[0]).toBe("## ❌ Opik evaluation: charter_optimization — evaluated; the gate fails the step (fail-threshold)");
    expect(markdown).toContain("**This fails the step**");
    await expect(markdown).toMatchFileSnapshot("golden/summary-gate-fails.md");
  });

  it("keeps the run's status in the heading when the gate does not fail the step", () => {
    expect(renderSummary(base, { failsStep: false, state: "insufficient-data" }).split("\n")[0]).toBe("## ✅ Opik evaluation: charter_optimization — success");
  });

  it("renders an evaluate-mode run with the dataset it evaluated, not a harvest window, and says cleanup did not run", async () => {
    const evaluated: RunResult = {
      ...base,
      mode: "evaluate",
      cleanupResult: null,
      cleanup: { state: "not-run", reason: "evaluate mode changes no production data" },
      spansCounted: false,
      spansFound: 0,
      spansNew: 0,
      errors: [],
      warnings: [],
    };
    const markdown = renderSummary(evaluated);
    expect(markdown).not.toContain("Spans found");
    expect(markdown).not.toContain("Window (UTC)");
    expect(markdown).not.toContain("cleanup-errors: false");
    expect(markdown).toContain("| Project | Dataset evaluated | Items | Experiment |");
    await expect(markdown).toMatchFileSnapshot("golden/summary-evaluate.md");
  });

  it("shows counts a failed harvest never took as –, and why cleanup did not run", async () => {
    const failedEarly: RunResult = {
      ...base,
      status: "failed",
      cleanupResult: null,
      cleanup: { state: "failed", reason: "Opik search traces failed: 503 Service Unavailable" },
      spansCounted: false,
      spansFound: 0,
      spansNew: 0,
      datasetName: null,
      experiment: null,
      errors: ["Opik search traces failed: 503 Service Unavailable"],
      warnings: [],
    };
    const markdown = renderSummary(failedEarly);
    expect(markdown).toContain("| – | – | – | – |");
    expect(markdown).toContain("Error trace cleanup failed: Opik search traces failed: 503 Service Unavailable.");
    await expect(markdown).toMatchFileSnapshot("golden/summary-failed-before-harvest.md");
  });

  it("lists a rejected configuration's problems and nothing a run would have measured", async () => {
    const rejected = rejectedConfigResult({ "max-items": "many", config: "evals.yml" }, [
      'max-items: expected a whole number from 1 to 10000 (got "many")',
      "config: evals.yml: is a directory (/w/evals.yml); expected a YAML or JSON file",
    ]);
    const markdown = renderSummary(rejected, { failsStep: true, state: "error" });
    expect(markdown).not.toContain("Spans found");
    expect(markdown).not.toContain("cleanup");
    await expect(markdown).toMatchFileSnapshot("golden/summary-config-rejected.md");
  });
});
