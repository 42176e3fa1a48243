import { describe, expect, it } from "vitest";
import type { PipelineResult } from "../../src/pipeline/run-pipeline.js";
import { MAX_SUMMARY_BYTES, renderSummary } from "../../src/report/render-summary.js";

const base: PipelineResult = {
  status: "success",
  task_id: "task_opik_evaluate",
  date_string: "20260204",
  experiment_type: "charter_optimization",
  max_items: 50,
  lookback_hours: 24,
  metrics: ["hallucination", "output_format"],
  task_provider: "gemini",
  cleanup_errors: true,
  cleanup_result: { project: "ocapistaine-test", total_traces: 408, error_traces: 5, deleted: 5, error_patterns: { error: 3, "retries exhausted": 2 } },
  spans_found: 25,
  spans_new: 12,
  dataset_name: "charter-optimization-20260204-143052",
  experiment_result: {
    status: "success",
    experiment_name: "charter_validation-eval-20260204-143052",
    experiment_id: "0194d2a0-0000-7000-8000-000000000001",
    experiment_url: "https://www.comet.com/opik/api/v1/session/redirect/experiments/?experiment_id=0194d2a0-0000-7000-8000-000000000001&dataset_id=0194d2a0-0000-7000-8000-000000000002&path=aHR0cHM6Ly93d3cuY29tZXQuY29tL29waWsvYXBp",
    items_total: 12,
    items_resumed: 0,
    items_not_started: 0,
    task_errors: 1,
    eval_results: {
      hallucination: { direction: "lower-is-better", mean: 0.090909, min: 0, max: 1, count: 11, failed: 0 },
      output_format: { direction: "higher-is-better", mean: 0.875, min: 0.25, max: 1, count: 10, failed: 1 },
    },
  },
  errors: ["span 0194 (dataset item 0195): gemini gemini-2.0-flash: 503 Service Unavailable"],
  warnings: ["output_format failed on dataset item 0196: <script>alert(1)</script> | @octocat #12"],
  project: "ocapistaine-test",
  window: { start: "2026-02-03T14:30:52.000Z", end: "2026-02-04T14:30:52.000Z" },
  spans_deferred: 0,
  spans_sampled_out: 0,
  resumed: false,
  usage: {
    task: { calls: 12, prompt_tokens: 2400, completion_tokens: 600, total_tokens: 3000, cost_usd: 0.00072 },
    judge: { calls: 11, prompt_tokens: 5500, completion_tokens: 550, total_tokens: 6050, cost_usd: 0.001155 },
    cost_usd: 0.001875,
  },
  budget_limited: false,
  mode: "harvest",
};

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
