/**
 * The run's result, in the action's own terms, and what the gate and the report read per item. Types only, below the
 * pipeline that fills them, so the gate and the report read a result without importing the pipeline.
 */

import type { DatasetRecord, ItemOutcome } from "./types.js";

/**
 * The original job's error patterns, most specific first: a trace counts under the
 * first one its error text contains, and under "error" when none matches, so
 * the pattern counts always add up to the number of error traces.
 */
export const ERROR_PATTERNS = ["retries exhausted", "rate limit", "validation error", "timeout", "failed", "error"] as const;
export type ErrorPattern = (typeof ERROR_PATTERNS)[number];

/** Step 0's counts (the original job's cleanup_result). */
export interface CleanupResult {
  project: string;
  totalTraces: number;
  errorTraces: number;
  deleted: number;
  errorPatterns: Partial<Record<ErrorPattern, number>>;
}

/**
 * What happened to Step 0, which cleanupResult (null unless it ran) cannot
 * say: it ran (cleanupResult holds the counts), was switched off, did not
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
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Null when a model's price is unknown: tokens are then all that is reported. */
  costUsd: number | null;
}

/** Step 4: the experiment and how its items went. */
export interface ExperimentOutcome {
  status: "success" | "failed";
  name: string;
  id: string;
  url: string;
  itemsTotal: number;
  /** Items evaluated by an earlier, interrupted run and kept as they were. */
  itemsResumed: number;
  /** Items left for a later run because max-cost-usd was reached. */
  itemsNotStarted: number;
  taskErrors: number;
  evalResults: Record<string, MetricSummary>;
}

/** The version of the task prompt the experiment ran with, in Opik's prompt library. */
export interface PromptVersionOutcome {
  name: string;
  /** Opik names a version by its commit (8 characters). */
  commit: string;
  versionId: string;
  /** False when this run created the version, true when the template was unchanged. */
  reused: boolean;
  url: string;
}

/** What the completion cache did: calls answered from earlier runs, calls made, and what the answers would have cost. */
export interface CacheOutcome {
  mode: "auto" | "off" | "force";
  /** False when the task was not cached: temperature above 0 without force, or no store to keep it in. */
  taskCached: boolean;
  task: { hits: number; misses: number; savedUsd: number | null };
  judge: { hits: number; misses: number; savedUsd: number | null };
}

/** Why an item was promoted: its score fell outside the bound (`limit`), or could not be computed. */
export type PromotionFlag = { metric: string; value: number; bound: "min" | "max"; limit: number; reason?: string } | { metric: string; error: string };

/** One item a scheduled run added to the feature's test suite. */
export interface PromotedItem {
  spanId: string;
  traceId: string;
  /** The item's id in the suite, derived from suite and span. */
  suiteItemId: string;
  flags: PromotionFlag[];
  /** The source trace in Opik. */
  url: string;
}

/** What promotion did on a scheduled run (features.<type>.test_suite.promote). */
export interface PromotionOutcome {
  suiteName: string;
  /** The suite in Opik; absent when promotion failed before finding it. */
  suiteUrl?: string;
  /** True when this run created the suite. */
  created: boolean;
  items: PromotedItem[];
  /** Flagged items whose span the suite already held (an earlier or overlapping run promoted it). */
  alreadyInSuite: number;
  /** Flagged items left out by max_per_run (the least bad ones). */
  overCap: number;
  /** Why promotion failed: a warning, not a failed run, since the evaluation itself stands. */
  failed?: string;
}

/** A dataset another run holds a lease on, left to that run. */
export interface LeasedDataset {
  datasetName: string;
  runId: string;
  /** ISO time the lease runs out. */
  leaseUntil: string;
}

/**
 * What a run found and did. The original job's result JSON (docs/architecture.md) is built from it at the edge,
 * by toResultJson in src/publish/result-json.ts.
 */
export interface RunResult {
  status: "success" | "skipped" | "failed";
  taskId: string;
  dateString: string;
  experimentType: string;
  maxItems: number;
  lookbackHours: number;
  metrics: string[];
  taskProvider: string;
  cleanupErrors: boolean;
  cleanupResult: CleanupResult | null;
  spansFound: number;
  spansNew: number;
  datasetName: string | null;
  experiment: ExperimentOutcome | null;
  /** Set when the task ran with a prompt file, recorded before the experiment. */
  promptVersion?: PromptVersionOutcome;
  /** Set on a scheduled run whose feature promotes failures to its test suite. */
  promoted?: PromotionOutcome;
  errors: string[];
  warnings: string[];
  project: string;
  window: { start: string; end: string };
  /** New spans left for the next run because of max-items. */
  spansDeferred: number;
  /** New spans left out by sampling-rate. */
  spansSampledOut: number;
  /** True when this run finished a dataset an interrupted run had left pending. */
  resumed: boolean;
  /** Tokens and estimated cost of the task and judge calls. */
  usage: { task: UsageTotals; judge: UsageTotals; costUsd: number | null };
  /** True when max-cost-usd stopped the run before every item was evaluated. */
  budgetLimited: boolean;
  /** Absent when the cache is off or there was nowhere to keep it. */
  cache?: CacheOutcome;
  /** harvest (Steps 0 to 4), evaluate (Step 4 on an existing dataset), or report (the pooled results of evaluate shards). */
  mode: "harvest" | "evaluate" | "report";
  /** Set on an evaluate run that took one slice of the items: `2/4`. */
  shard?: string;
  /** What happened to Step 0 (cleanupResult stays null whenever it did not run). */
  cleanup: CleanupState;
  /** Whether spansFound and spansNew were measured: false in evaluate mode and when the run stopped before the search. */
  spansCounted: boolean;
  /** Set when the configuration was rejected, so nothing ran; errors lists the problems. */
  configRejected?: true;
  /** This run's id, as its leases in Opik name it. */
  runId: string;
  /** How this run met overlapping runs: time it waited for the harvest lock, datasets it left to the runs evaluating them. */
  overlap: { waitedSeconds: number; busy: boolean; datasetsLeasedByOthers: LeasedDataset[] };
  /** The drift check of a scheduled run (issue 11): absent when it did not run. */
  drift?: DriftOutcome;
  /** Set when the run gated on an Opik test suite. */
  testSuite?: SuiteOutcome;
}

/** One metric or health signal of the drift check, as the report and the result JSON show it. */
export interface DriftSignalOutcome {
  name: string;
  kind: "metric" | "health";
  state: "drifting" | "stable" | "insufficient-data";
  reference: number | null;
  recent: number | null;
  /** Recent minus reference in the bad direction, with its one-sided interval; absent when not compared. */
  worsening?: number;
  interval?: [number, number];
  note?: string;
}

/** What the drift check concluded, with the issue it kept. */
export interface DriftOutcome {
  state: "none" | "drifting" | "recovered" | "insufficient-data";
  drifting: string[];
  signals: DriftSignalOutcome[];
  window: number;
  reference: number;
  minEffect: number;
  recentRuns: number;
  referenceRuns: number;
  reason?: string;
  issue?: { action: "opened" | "updated" | "unchanged" | "closed" | "none"; url?: string };
}

/** The result plus what the gate and the report read per item. */
export interface PipelineRun {
  result: RunResult;
  items: ItemOutcome[];
  /** Where the experiment ran, for the baseline lookup; absent when no experiment ran. */
  dataset?: DatasetRecord;
  /** The config recorded on the experiment, which the gate compares with the baseline's. */
  experimentConfig?: Record<string, unknown>;
  /** judge-noise-sample's measurement per metric, for the gate. */
  judgeNoise?: Record<string, { sd: number; outputs: number; judgments: number }>;
}

/** One assertion of one run, as the suite judge answered it. */
export interface SuiteAssertionOutcome {
  assertion: string;
  passed: boolean;
  reason: string;
  /** The judge gave no usable answer (missing, malformed, or no reply): the assertion counts as failed. */
  scoringFailed?: boolean;
}

/** One of an item's runs_per_item runs. */
export interface SuiteRunOutcome {
  /** 0-based, as the SDK's trial id. */
  runIndex: number;
  passed: boolean;
  /** The task's output as text. */
  output: string;
  taskError?: string;
  assertions: SuiteAssertionOutcome[];
}

/** One suite item: its runs and whether enough of them passed. */
export interface SuiteItemOutcome {
  datasetItemId: string;
  /** The user part of the item's input, as text. */
  input: string;
  description?: string;
  /** Items without assertions always pass and are left out of the pass rate, as in the SDK. */
  hasAssertions: boolean;
  passed: boolean;
  /** Passed some runs and failed others. */
  flaky: boolean;
  runsPassed: number;
  runsPerItem: number;
  passThreshold: number;
  runs: SuiteRunOutcome[];
  /** Whether the item passed in the baseline run of the suite; absent when the baseline did not run it. */
  baselinePassed?: boolean;
}

/** A run of an Opik test suite (input test-suite or features.<type>.test_suite.name). */
export interface SuiteOutcome {
  name: string;
  datasetId: string;
  versionId?: string;
  versionName?: string;
  experimentId: string;
  experimentName: string;
  url: string;
  /** Items with assertions that passed and failed: what the pass rate counts. */
  itemsPassed: number;
  itemsFailed: number;
  itemsTotal: number;
  /** itemsPassed / (itemsPassed + itemsFailed); null when no item has assertions. */
  passRate: number | null;
  minPassRate: number;
  baseline?: { experimentName: string; passRate: number | null };
  items: SuiteItemOutcome[];
}
