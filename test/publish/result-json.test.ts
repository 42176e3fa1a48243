import { describe, expect, it } from "vitest";
import { rejectedConfigResult } from "../../src/pipeline/rejected-config-result.js";
import { computeVerdict } from "../../src/gate/compute-verdict.js";
import { buildPublication } from "../../src/publish/publish-result.js";
import { toResultJson } from "../../src/publish/result-json.js";
import { gateInput, item, result } from "../gate/fixtures.js";
import { ORIGINAL_JOB_KEYS } from "../support/original-job.js";

/** The action's own fields, after the original job's. */
const ACTION_KEYS = [
  "project",
  "window",
  "spans_deferred",
  "spans_sampled_out",
  "resumed",
  "usage",
  "budget_limited",
  "mode",
  "cleanup",
  "spans_counted",
  "run_id",
  "overlap",
];

const EXPERIMENT_URL =
  "https://www.comet.com/opik/api/v1/session/redirect/experiments/?experiment_id=0194d2a0-0000-7000-8000-000000000001&dataset_id=0194d2a0-0000-7000-8000-000000000002";

const harvested = result({
  experiment: {
    ...result().experiment!,
    itemsResumed: 2,
    itemsNotStarted: 1,
    taskErrors: 1,
    evalResults: { output_format: { direction: "higher-is-better", mean: 0.75, min: 0, max: 1, count: 11, failed: 1 } },
  },
  warnings: ["1 span(s) sampled out"],
  spansDeferred: 3,
  spansSampledOut: 1,
  budgetLimited: true,
  overlap: {
    waitedSeconds: 1.5,
    busy: false,
    datasetsLeasedByOthers: [{ datasetName: "charter-optimization-20260203-143052", runId: "4241.1.ffee", leaseUntil: "2026-02-04T15:00:00.000Z" }],
  },
});

describe("the result JSON, built at the edge", () => {
  it("lists the original job's fields first, in its order, then the action's own", () => {
    expect(Object.keys(toResultJson(harvested))).toEqual([...ORIGINAL_JOB_KEYS, ...ACTION_KEYS]);
  });

  it("writes every field of the run in the original job's snake_case", () => {
    expect(toResultJson(harvested)).toStrictEqual({
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
        experiment_url: EXPERIMENT_URL,
        items_total: 12,
        items_resumed: 2,
        items_not_started: 1,
        task_errors: 1,
        eval_results: { output_format: { direction: "higher-is-better", mean: 0.75, min: 0, max: 1, count: 11, failed: 1 } },
      },
      errors: [],
      warnings: ["1 span(s) sampled out"],
      project: "ocapistaine-test",
      window: { start: "2026-02-03T14:30:52.000Z", end: "2026-02-04T14:30:52.000Z" },
      spans_deferred: 3,
      spans_sampled_out: 1,
      resumed: false,
      usage: {
        task: { calls: 12, prompt_tokens: 2400, completion_tokens: 600, total_tokens: 3000, cost_usd: 0.0006 },
        judge: { calls: 11, prompt_tokens: 5500, completion_tokens: 550, total_tokens: 6050, cost_usd: 0.0013 },
        cost_usd: 0.0019,
      },
      budget_limited: true,
      mode: "harvest",
      cleanup: { state: "done" },
      spans_counted: true,
      run_id: "4242.1.0a1b2c3d",
      overlap: {
        waited_seconds: 1.5,
        busy: false,
        datasets_leased_by_others: [{ dataset_name: "charter-optimization-20260203-143052", run_id: "4241.1.ffee", lease_until: "2026-02-04T15:00:00.000Z" }],
      },
    });
  });

  it("writes null for the steps that did not run", () => {
    const json = toResultJson(result({ cleanupResult: null, experiment: null, datasetName: null }));
    expect(json).toMatchObject({ cleanup_result: null, experiment_result: null, dataset_name: null });
  });

  it("marks a rejected configuration last, and only then", () => {
    const rejected = toResultJson(rejectedConfigResult({ "max-items": "lots" }, ["max-items: expected a whole number"]));
    expect(Object.keys(rejected)).toEqual([...ORIGINAL_JOB_KEYS, ...ACTION_KEYS, "config_rejected"]);
    expect(rejected).toMatchObject({ status: "failed", max_items: 0, config_rejected: true, errors: ["max-items: expected a whole number"] });
    expect(toResultJson(harvested)).not.toHaveProperty("config_rejected");
  });

  it("is what the result-json output and the result file carry", () => {
    const input = gateInput([item("a", { output_format: 1 })], {}, { metrics: ["output_format"] });
    const publication = buildPublication({ result: input.run.result, items: input.run.items, verdict: computeVerdict(input), resultFile: "/tmp/result.json" });
    expect(JSON.parse(publication.outputs["result-json"])).toStrictEqual(toResultJson(input.run.result));
    expect(publication.resultJson).toBe(JSON.stringify(toResultJson(input.run.result), null, 2));
  });
});

describe("the drift block", () => {
  it("comes after every other field, in snake_case, and sets the drift outputs", () => {
    const drifting = result({
      drift: {
        state: "drifting",
        drifting: ["output_format"],
        signals: [
          { name: "output_format", kind: "metric", state: "drifting", reference: 0.91, recent: 0.55, worsening: 0.36, interval: [0.3, 0.42] },
          { name: "spans_per_run", kind: "health", state: "stable", reference: 40, recent: 38, worsening: 2 },
        ],
        window: 6,
        reference: 24,
        minEffect: 0.05,
        recentRuns: 6,
        referenceRuns: 24,
        issue: { action: "opened", url: "https://github.com/octo-org/hello-world/issues/500" },
      },
    });
    const json = toResultJson(drifting);
    expect(Object.keys(json).at(-1)).toBe("drift");
    expect(json.drift).toEqual({
      state: "drifting",
      metrics: ["output_format"],
      window: 6,
      reference: 24,
      min_effect: 0.05,
      recent_runs: 6,
      reference_runs: 24,
      signals: [
        { name: "output_format", kind: "metric", state: "drifting", reference: 0.91, recent: 0.55, worsening: 0.36, interval: [0.3, 0.42] },
        { name: "spans_per_run", kind: "health", state: "stable", reference: 40, recent: 38, worsening: 2 },
      ],
      issue: { action: "opened", url: "https://github.com/octo-org/hello-world/issues/500" },
    });
    const publication = buildPublication({
      result: drifting,
      items: [],
      verdict: computeVerdict(gateInput([item("a", { output_format: 1 })])),
      resultFile: "/tmp/r.json",
    });
    expect(publication.outputs).toMatchObject({ drift: "drifting", "drift-metrics": "output_format" });
    expect(publication.summary).toContain("## Drift");
    expect("drift" in toResultJson(result())).toBe(false);
  });
});
