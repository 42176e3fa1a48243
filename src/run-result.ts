/**
 * The run's result: the original job's result JSON (docs/architecture.md) the action outputs, and what the gate and the
 * report read per item. Types only, below the pipeline that fills them, so the gate and
 * the report read a result without importing the pipeline.
 */

import type { DatasetRecord, ItemOutcome } from "./types.js";

/**
 * The original job's error patterns, most specific first: a trace counts under the
 * first one its error text contains, and under "error" when none matches, so
 * the pattern counts always add up to the number of error traces.
 */
export const ERROR_PATTERNS = ["retries exhausted", "rate limit", "validation error", "timeout", "failed", "error"] as const;
export type ErrorPattern = (typeof ERROR_PATTERNS)[number];

/** The original job's cleanup_result, field for field. */
export interface CleanupResult {
  project: string;
  total_traces: number;
  error_traces: number;
  deleted: number;
  error_patterns: Partial<Record<ErrorPattern, number>>;
}

/**
 * What happened to Step 0, which cleanup_result (null unless it ran) cannot
 * say: it ran (cleanup_result holds the counts), was switched off, did not
 * run and why, or failed.
 */
export type CleanupState = { state: "done" } | { state: "off" } | { state: "not-run" | "failed"; reason: string };

/** One metric over the experiment: failed scores are counted apart, never averaged in as 0; values are rounded for the result JSON. */
export interface MetricSummary {
  /** Which way is better, so the report and the gate read custom judges the right way round too. */
  direction: "higher-is-better" | "lower-is-better";
  mean: number | null;
  min: number | null;
  max: number | null;
  count: number;
  failed: number;
}

/** Tokens and estimated cost of one role's model calls. */
export interface UsageTotals {
  calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Null when a model's price is unknown: tokens are then all that is reported. */
  cost_usd: number | null;
}

export interface ExperimentResult {
  status: "success" | "failed";
  experiment_name: string;
  experiment_id: string;
  experiment_url: string;
  items_total: number;
  /** Items evaluated by an earlier, interrupted run and kept as they were. */
  items_resumed: number;
  /** Items left for a later run because max-cost-usd was reached. */
  items_not_started: number;
  task_errors: number;
  eval_results: Record<string, MetricSummary>;
}

/** The original job's result structure (docs/architecture.md), field for field, plus a few fields of ours at the end. */
export interface PipelineResult {
  status: "success" | "skipped" | "failed";
  task_id: string;
  date_string: string;
  experiment_type: string;
  max_items: number;
  lookback_hours: number;
  metrics: string[];
  task_provider: string;
  cleanup_errors: boolean;
  cleanup_result: CleanupResult | null;
  spans_found: number;
  spans_new: number;
  dataset_name: string | null;
  experiment_result: ExperimentResult | null;
  errors: string[];
  warnings: string[];
  project: string;
  window: { start: string; end: string };
  /** New spans left for the next run because of max-items. */
  spans_deferred: number;
  /** New spans left out by sampling-rate. */
  spans_sampled_out: number;
  /** True when this run finished a dataset an interrupted run had left pending. */
  resumed: boolean;
  /** Tokens and estimated cost of the task and judge calls. */
  usage: { task: UsageTotals; judge: UsageTotals; cost_usd: number | null };
  /** True when max-cost-usd stopped the run before every item was evaluated. */
  budget_limited: boolean;
  /** harvest (Steps 0 to 4) or evaluate (Step 4 on an existing dataset). */
  mode: "harvest" | "evaluate";
  /** What happened to Step 0 (cleanup_result stays null whenever it did not run). */
  cleanup: CleanupState;
  /** Whether spans_found and spans_new were measured: false in evaluate mode and when the run stopped before the search. */
  spans_counted: boolean;
  /** Set when the configuration was rejected, so nothing ran; errors lists the problems. */
  config_rejected?: true;
  /** This run's id, as its leases in Opik name it. */
  run_id: string;
  /** How this run met overlapping runs: time it waited for the harvest lock, datasets it left to the runs evaluating them. */
  overlap: { waited_seconds: number; busy: boolean; datasets_leased_by_others: { dataset_name: string; run_id: string; lease_until: string }[] };
}

/** The result plus what the gate and the report read per item. */
export interface PipelineRun {
  result: PipelineResult;
  items: ItemOutcome[];
  /** Where the experiment ran, for the baseline lookup; absent when no experiment ran. */
  dataset?: DatasetRecord;
  /** The config recorded on the experiment, which the gate compares with the baseline's. */
  experimentConfig?: Record<string, unknown>;
}
