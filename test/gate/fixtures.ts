import { DEFAULT_FAIL_ON } from "../../src/gate/defaults.js";
import type { BaselineData, GateInput, GateSettings } from "../../src/gate/types.js";
import type { PipelineResult, PipelineRun } from "../../src/run-result.js";
import type { ItemOutcome } from "../../src/types.js";

/** Typed builders for gate and report tests: a run, its items, the gate's settings, a baseline. */

export function result(overrides: Partial<PipelineResult> = {}): PipelineResult {
  return {
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
    cleanup: { state: "done" },
    spans_counted: true,
    spans_found: 25,
    spans_new: 12,
    dataset_name: "charter-optimization-20260204-143052",
    experiment_result: {
      status: "success",
      experiment_name: "charter_validation-eval-20260204-143052",
      experiment_id: "0194d2a0-0000-7000-8000-000000000001",
      experiment_url:
        "https://www.comet.com/opik/api/v1/session/redirect/experiments/?experiment_id=0194d2a0-0000-7000-8000-000000000001&dataset_id=0194d2a0-0000-7000-8000-000000000002",
      items_total: 12,
      items_resumed: 0,
      items_not_started: 0,
      task_errors: 0,
      eval_results: {},
    },
    errors: [],
    warnings: [],
    project: "ocapistaine-test",
    window: { start: "2026-02-03T14:30:52.000Z", end: "2026-02-04T14:30:52.000Z" },
    spans_deferred: 0,
    spans_sampled_out: 0,
    resumed: false,
    usage: {
      task: { calls: 12, prompt_tokens: 2400, completion_tokens: 600, total_tokens: 3000, cost_usd: 0.0006 },
      judge: { calls: 11, prompt_tokens: 5500, completion_tokens: 550, total_tokens: 6050, cost_usd: 0.0013 },
      cost_usd: 0.0019,
    },
    budget_limited: false,
    mode: "harvest",
    run_id: "4242.1.0a1b2c3d",
    overlap: { waited_seconds: 0, busy: false, datasets_leased_by_others: [] },
    ...overrides,
  };
}

export function item(id: string, scores: Record<string, number>, extra: Partial<ItemOutcome> = {}): ItemOutcome {
  return {
    datasetItemId: id,
    traceId: `trace-${id}`,
    input: `What does the charter say about ${id}?`,
    output: `Article ${id.length} says so.`,
    scores: Object.fromEntries(Object.entries(scores).map(([name, value]) => [name, { value }])),
    failedMetrics: {},
    ...extra,
  };
}

/** `count` items named item-00, item-01, ... scored by `score(i)`. */
export function items(count: number, score: (i: number) => Record<string, number>): ItemOutcome[] {
  return Array.from({ length: count }, (_, i) => item(`item-${String(i).padStart(2, "0")}`, score(i)));
}

export function run(outcomes: ItemOutcome[], overrides: Partial<PipelineResult> = {}): PipelineRun {
  return { result: result(overrides), items: outcomes };
}

export function settings(overrides: Partial<GateSettings> = {}): GateSettings {
  return { thresholds: {}, maxRegression: { perMetric: {} }, minItems: 10, maxErrorRate: 0.1, failOn: DEFAULT_FAIL_ON, baseline: "auto", ...overrides };
}

export const JUDGE_CONFIG = { judge_provider: "openai", judge_model: "gpt-4o-mini", output_format: { regex: "^Article" } };

export function baseline(
  outcomes: readonly ItemOutcome[],
  config: Record<string, unknown> = JUDGE_CONFIG,
  experimentName = "charter_validation-eval-20260203-143052",
): BaselineData {
  return {
    experimentName,
    experimentId: "0194d2a0-0000-7000-8000-0000000000b1",
    config,
    items: outcomes.map((o) => ({ datasetItemId: o.datasetItemId, feedbackScores: Object.entries(o.scores).map(([name, s]) => ({ name, value: s.value })) })),
  };
}

/** A whole PipelineRun, so the report tests can render the run the gate judged. */
export function gateInput(
  outcomes: ItemOutcome[],
  overrides: Partial<Omit<GateInput, "run">> = {},
  resultOverrides: Partial<PipelineResult> = {},
): GateInput & { run: PipelineRun } {
  return { run: run(outcomes, resultOverrides), settings: settings(), currentConfig: JUDGE_CONFIG, ...overrides };
}
