import { DEFAULT_FAIL_ON } from "../../src/gate/defaults.js";
import type { BaselineData, GateInput, GateSettings } from "../../src/gate/types.js";
import type { RunResult, PipelineRun } from "../../src/run-result.js";
import type { ItemOutcome } from "../../src/types.js";

/** Typed builders for gate and report tests: a run, its items, the gate's settings, a baseline. */

export function result(overrides: Partial<RunResult> = {}): RunResult {
  return {
    status: "success",
    taskId: "task_opik_evaluate",
    dateString: "20260204",
    experimentType: "charter_optimization",
    maxItems: 50,
    lookbackHours: 24,
    metrics: ["hallucination", "output_format"],
    taskProvider: "gemini",
    cleanupErrors: true,
    cleanupResult: { project: "ocapistaine-test", totalTraces: 408, errorTraces: 5, deleted: 5, errorPatterns: { error: 3, "retries exhausted": 2 } },
    cleanup: { state: "done" },
    spansCounted: true,
    spansFound: 25,
    spansNew: 12,
    datasetName: "charter-optimization-20260204-143052",
    experiment: {
      status: "success",
      name: "charter_validation-eval-20260204-143052",
      id: "0194d2a0-0000-7000-8000-000000000001",
      url: "https://www.comet.com/opik/api/v1/session/redirect/experiments/?experiment_id=0194d2a0-0000-7000-8000-000000000001&dataset_id=0194d2a0-0000-7000-8000-000000000002",
      itemsTotal: 12,
      itemsResumed: 0,
      itemsNotStarted: 0,
      taskErrors: 0,
      evalResults: {},
    },
    errors: [],
    warnings: [],
    project: "ocapistaine-test",
    window: { start: "2026-02-03T14:30:52.000Z", end: "2026-02-04T14:30:52.000Z" },
    spansDeferred: 0,
    spansSampledOut: 0,
    resumed: false,
    usage: {
      task: { calls: 12, promptTokens: 2400, completionTokens: 600, totalTokens: 3000, costUsd: 0.0006 },
      judge: { calls: 11, promptTokens: 5500, completionTokens: 550, totalTokens: 6050, costUsd: 0.0013 },
      costUsd: 0.0019,
    },
    budgetLimited: false,
    mode: "harvest",
    runId: "4242.1.0a1b2c3d",
    overlap: { waitedSeconds: 0, busy: false, datasetsLeasedByOthers: [] },
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

export function run(outcomes: ItemOutcome[], overrides: Partial<RunResult> = {}): PipelineRun {
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
  resultOverrides: Partial<RunResult> = {},
): GateInput & { run: PipelineRun } {
  return { run: run(outcomes, resultOverrides), settings: settings(), currentConfig: JUDGE_CONFIG, ...overrides };
}
