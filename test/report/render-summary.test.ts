import { describe, expect, it } from "vitest";
import type { PipelineResult } from "../../src/pipeline/run-pipeline.js";
import { MAX_SUMMARY_BYTES, renderSummary } from "../../src/report/render-summary.js";
import { result } from "../gate/fixtures.js";

// The shared fixture run, with the scores, errors and usage this report shows.
const fixture = result();
const base: PipelineResult = result({
  experiment_result: {
    ...fixture.experiment_result!,
    task_errors: 1,
    eval_results: {
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
    const skipped: PipelineResult = { ...base, status: "skipped", cleanup_errors: false, cleanup_result: null, spans_new: 0, dataset_name: null, experiment_result: null, errors: [], warnings: [] };
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
    const huge: PipelineResult = { ...base, errors: Array.from({ length: 50_000 }, (_, i) => `item ${i}: ${"x".repeat(400)}`) };
    const markdown = renderSummary(huge);
    expect(Buffer.byteLength(markdown)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    expect(markdown).toContain("and 49980 more");
  });
});
