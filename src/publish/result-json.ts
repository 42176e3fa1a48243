import type {
  CacheOutcome,
  CleanupResult,
  DriftOutcome,
  ErrorPattern,
  ExperimentOutcome,
  MetricSummary,
  PromotionFlag,
  PromotionOutcome,
  RunResult,
  SuiteOutcome,
  UsageTotals,
} from "../run-result.js";

/** The original job's cleanup_result. */
export interface CleanupResultJson {
  project: string;
  total_traces: number;
  error_traces: number;
  deleted: number;
  error_patterns: Partial<Record<ErrorPattern, number>>;
}

export interface UsageTotalsJson {
  calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number | null;
}

/** The original job's experiment_result. */
export interface ExperimentResultJson {
  status: "success" | "failed";
  experiment_name: string;
  experiment_id: string;
  experiment_url: string;
  items_total: number;
  items_resumed: number;
  items_not_started: number;
  task_errors: number;
  eval_results: Record<string, MetricSummary>;
}

/**
 * The result JSON the action outputs: the original job's sixteen fields first, in its order and snake_case
 * (docs/architecture.md), then the action's own, in the same style so the document reads as one.
 */
export interface ResultJson {
  status: RunResult["status"];
  task_id: string;
  date_string: string;
  experiment_type: string;
  max_items: number;
  lookback_hours: number;
  metrics: string[];
  task_provider: string;
  cleanup_errors: boolean;
  cleanup_result: CleanupResultJson | null;
  spans_found: number;
  spans_new: number;
  dataset_name: string | null;
  experiment_result: ExperimentResultJson | null;
  errors: string[];
  warnings: string[];
  project: string;
  window: { start: string; end: string };
  spans_deferred: number;
  spans_sampled_out: number;
  resumed: boolean;
  usage: { task: UsageTotalsJson; judge: UsageTotalsJson; cost_usd: number | null };
  budget_limited: boolean;
  cache?: {
    mode: string;
    task_cached: boolean;
    task: { hits: number; misses: number; saved_usd: number | null };
    judge: { hits: number; misses: number; saved_usd: number | null };
  };
  mode: RunResult["mode"];
  /** Set on a sharded evaluate run: which slice it took, as i/n. */
  shard?: string;
  cleanup: RunResult["cleanup"];
  spans_counted: boolean;
  run_id: string;
  overlap: { waited_seconds: number; busy: boolean; datasets_leased_by_others: { dataset_name: string; run_id: string; lease_until: string }[] };
  /** The task prompt's version in Opik's prompt library, when the task ran with a prompt file. */
  prompt_version?: { name: string; commit: string; version_id: string; reused: boolean; url: string };
  config_rejected?: true;
  /** The drift check of a scheduled run; absent when it did not run. */
  drift?: DriftJson;
  /** What a scheduled run added to the feature's test suite (features.<type>.test_suite.promote). */
  promoted?: PromotedJson;
  test_suite?: TestSuiteJson;
}

/** Why an item was promoted: a score outside its bound (`min` or `max` holds the bound), or a score that failed. */
export type PromotionFlagJson = { metric: string; value: number; min?: number; max?: number; reason?: string } | { metric: string; error: string };

export interface PromotedJson {
  suite_name: string;
  suite_url: string | null;
  created: boolean;
  items: { span_id: string; trace_id: string; suite_item_id: string; flagged_by: PromotionFlagJson[]; url: string }[];
  already_in_suite: number;
  over_cap: number;
  failed: string | null;
}

function flagJson(flag: PromotionFlag): PromotionFlagJson {
  if (!("value" in flag)) return { metric: flag.metric, error: flag.error };
  return { metric: flag.metric, value: flag.value, [flag.bound]: flag.limit, ...(flag.reason ? { reason: flag.reason } : {}) };
}

function promotedJson(promoted: PromotionOutcome): PromotedJson {
  return {
    suite_name: promoted.suiteName,
    suite_url: promoted.suiteUrl ?? null,
    created: promoted.created,
    items: promoted.items.map((item) => ({
      span_id: item.spanId,
      trace_id: item.traceId,
      suite_item_id: item.suiteItemId,
      flagged_by: item.flags.map(flagJson),
      url: item.url,
    })),
    already_in_suite: promoted.alreadyInSuite,
    over_cap: promoted.overCap,
    failed: promoted.failed ?? null,
  };
}

export interface DriftJson {
  state: DriftOutcome["state"];
  metrics: string[];
  window: number;
  reference: number;
  min_effect: number;
  recent_runs: number;
  reference_runs: number;
  reason?: string;
  signals: {
    name: string;
    kind: string;
    state: string;
    reference: number | null;
    recent: number | null;
    worsening?: number;
    interval?: [number, number];
    note?: string;
  }[];
  issue?: { action: string; url?: string };
}

function driftJson(drift: DriftOutcome): DriftJson {
  return {
    state: drift.state,
    metrics: [...drift.drifting],
    window: drift.window,
    reference: drift.reference,
    min_effect: drift.minEffect,
    recent_runs: drift.recentRuns,
    reference_runs: drift.referenceRuns,
    ...(drift.reason ? { reason: drift.reason } : {}),
    signals: drift.signals.map((s) => ({
      name: s.name,
      kind: s.kind,
      state: s.state,
      reference: s.reference,
      recent: s.recent,
      ...(s.worsening !== undefined ? { worsening: s.worsening } : {}),
      ...(s.interval ? { interval: s.interval } : {}),
      ...(s.note ? { note: s.note } : {}),
    })),
    ...(drift.issue ? { issue: { action: drift.issue.action, ...(drift.issue.url ? { url: drift.issue.url } : {}) } } : {}),
  };
}

function cleanupResultJson(cleanup: CleanupResult): CleanupResultJson {
  return {
    project: cleanup.project,
    total_traces: cleanup.totalTraces,
    error_traces: cleanup.errorTraces,
    deleted: cleanup.deleted,
    error_patterns: { ...cleanup.errorPatterns },
  };
}

function usageJson(usage: UsageTotals): UsageTotalsJson {
  return {
    calls: usage.calls,
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
    cost_usd: usage.costUsd,
  };
}

function experimentResultJson(experiment: ExperimentOutcome): ExperimentResultJson {
  return {
    status: experiment.status,
    experiment_name: experiment.name,
    experiment_id: experiment.id,
    experiment_url: experiment.url,
    items_total: experiment.itemsTotal,
    items_resumed: experiment.itemsResumed,
    items_not_started: experiment.itemsNotStarted,
    task_errors: experiment.taskErrors,
    eval_results: Object.fromEntries(Object.entries(experiment.evalResults).map(([name, summary]) => [name, { ...summary }])),
  };
}

/** The one place the result JSON is built: the result-json output, the result file, the log and the CLI all print this. */
export function toResultJson(result: RunResult): ResultJson {
  return {
    status: result.status,
    task_id: result.taskId,
    date_string: result.dateString,
    experiment_type: result.experimentType,
    max_items: result.maxItems,
    lookback_hours: result.lookbackHours,
    metrics: [...result.metrics],
    task_provider: result.taskProvider,
    cleanup_errors: result.cleanupErrors,
    cleanup_result: result.cleanupResult ? cleanupResultJson(result.cleanupResult) : null,
    spans_found: result.spansFound,
    spans_new: result.spansNew,
    dataset_name: result.datasetName,
    experiment_result: result.experiment ? experimentResultJson(result.experiment) : null,
    errors: [...result.errors],
    warnings: [...result.warnings],
    project: result.project,
    window: { start: result.window.start, end: result.window.end },
    spans_deferred: result.spansDeferred,
    spans_sampled_out: result.spansSampledOut,
    resumed: result.resumed,
    usage: { task: usageJson(result.usage.task), judge: usageJson(result.usage.judge), cost_usd: result.usage.costUsd },
    budget_limited: result.budgetLimited,
    ...(result.cache ? { cache: cacheJson(result.cache) } : {}),
    mode: result.mode,
    ...(result.shard ? { shard: result.shard } : {}),
    cleanup: { ...result.cleanup },
    spans_counted: result.spansCounted,
    run_id: result.runId,
    overlap: {
      waited_seconds: result.overlap.waitedSeconds,
      busy: result.overlap.busy,
      datasets_leased_by_others: result.overlap.datasetsLeasedByOthers.map((leased) => ({
        dataset_name: leased.datasetName,
        run_id: leased.runId,
        lease_until: leased.leaseUntil,
      })),
    },
    ...(result.promptVersion
      ? {
          prompt_version: {
            name: result.promptVersion.name,
            commit: result.promptVersion.commit,
            version_id: result.promptVersion.versionId,
            reused: result.promptVersion.reused,
            url: result.promptVersion.url,
          },
        }
      : {}),
    ...(result.configRejected ? { config_rejected: true as const } : {}),
    ...(result.drift ? { drift: driftJson(result.drift) } : {}),
    ...(result.promoted ? { promoted: promotedJson(result.promoted) } : {}),
    ...(result.testSuite ? { test_suite: testSuiteJson(result.testSuite) } : {}),
  };
}

/** A test suite run: its pass rate and every item's runs, as the SDK's TestSuiteResult reports them. */
export interface TestSuiteJson {
  name: string;
  version_id: string | null;
  version_name: string | null;
  experiment_id: string;
  experiment_name: string;
  experiment_url: string;
  pass_rate: number | null;
  min_pass_rate: number;
  items_passed: number;
  items_failed: number;
  items_total: number;
  baseline: { experiment_name: string; pass_rate: number | null } | null;
  items: {
    dataset_item_id: string;
    input: string;
    has_assertions: boolean;
    passed: boolean;
    flaky: boolean;
    runs_passed: number;
    runs_per_item: number;
    pass_threshold: number;
    baseline_passed: boolean | null;
    runs: {
      run_index: number;
      passed: boolean;
      output: string;
      task_error: string | null;
      assertions: { assertion: string; passed: boolean; reason: string }[];
    }[];
  }[];
}

function testSuiteJson(suite: SuiteOutcome): TestSuiteJson {
  return {
    name: suite.name,
    version_id: suite.versionId ?? null,
    version_name: suite.versionName ?? null,
    experiment_id: suite.experimentId,
    experiment_name: suite.experimentName,
    experiment_url: suite.url,
    pass_rate: suite.passRate === null ? null : Math.round(suite.passRate * 1e6) / 1e6,
    min_pass_rate: suite.minPassRate,
    items_passed: suite.itemsPassed,
    items_failed: suite.itemsFailed,
    items_total: suite.itemsTotal,
    baseline: suite.baseline ? { experiment_name: suite.baseline.experimentName, pass_rate: suite.baseline.passRate } : null,
    items: suite.items.map((item) => ({
      dataset_item_id: item.datasetItemId,
      input: item.input,
      has_assertions: item.hasAssertions,
      passed: item.passed,
      flaky: item.flaky,
      runs_passed: item.runsPassed,
      runs_per_item: item.runsPerItem,
      pass_threshold: item.passThreshold,
      baseline_passed: item.baselinePassed ?? null,
      runs: item.runs.map((run) => ({
        run_index: run.runIndex,
        passed: run.passed,
        output: run.output,
        task_error: run.taskError ?? null,
        assertions: run.assertions.map((a) => ({ assertion: a.assertion, passed: a.passed, reason: a.reason })),
      })),
    })),
  };
}

function cacheJson(cache: CacheOutcome): NonNullable<ResultJson["cache"]> {
  const tally = (role: CacheOutcome["task"]) => ({ hits: role.hits, misses: role.misses, saved_usd: role.savedUsd });
  return { mode: cache.mode, task_cached: cache.taskCached, task: tally(cache.task), judge: tally(cache.judge) };
}
