/** Plain data the gate takes and returns; no SDK or runner types. */

import type { MetricInfo } from "../metrics/metric-catalog.js";
import type { FeedbackScore, ItemOutcome } from "../types.js";

export type Direction = MetricInfo["direction"];

/** Bounds on a metric's mean, inclusive. */
export interface Threshold {
  min?: number;
  max?: number;
}

export type ThresholdMap = Record<string, Threshold>;

/** The allowed worsening of a metric's mean against the baseline, in the metric's own units. */
export interface MaxRegression {
  /** For every metric not named in perMetric; absent means 0 (any significant drop). */
  default?: number;
  perMetric: Record<string, number>;
}

/** Everything `computeVerdict` can conclude, most severe first in VERDICT_STATES. */
export type VerdictState = "error" | "fail-threshold" | "fail-regression" | "insufficient-data" | "skipped" | "pass";

/** States the fail-on input may name: every state except pass. */
export type FailOnState = Exclude<VerdictState, "pass">;

export type BaselineMode = "auto" | "none" | (string & {});

/** The gate's settings, parsed from the inputs and the feature config. */
export interface GateSettings {
  thresholds: ThresholdMap;
  maxRegression: MaxRegression;
  /** Fewer paired items than this and the baseline comparison is insufficient-data. */
  minItems: number;
  /** Share of items (0 to 1) with a task or scoring error above which the run is an error. */
  maxErrorRate: number;
  failOn: readonly FailOnState[];
  baseline: BaselineMode;
  /** Metrics declared primary (the feature's primary_metric): tested alone, outside the family Holm corrects. */
  primaryMetrics?: readonly string[];
}

/** The judge's own spread on unchanged outputs, per metric: what re-judging the same output moves a score by. */
export interface JudgeNoise {
  /** Pooled within-output standard deviation of one judgment. */
  sd: number;
  /** Outputs re-judged, and judgments of each. */
  outputs: number;
  judgments: number;
}

/** One experiment item of the baseline, as Opik lists it (ExperimentItemRecord fits). */
export interface BaselineItem {
  datasetItemId: string;
  feedbackScores: readonly FeedbackScore[];
}

/** The baseline experiment the run is compared with. */
export interface BaselineData {
  experimentName: string;
  experimentId?: string;
  /** The baseline experiment's metadata (its config in Opik): judge model, metric settings, dataset version... */
  config: Record<string, unknown>;
  items: readonly BaselineItem[];
}

/** No baseline to compare with, and why; `problem` when the user named one that does not exist. */
export interface BaselineMissing {
  missing: string;
  problem?: boolean;
}

/**
 * What the gate reads of a run, and nothing else. A PipelineRun fits it as it is, so the
 * runner passes the pipeline's run without the gate knowing the pipeline.
 */
export interface GateRun {
  result: {
    status: "success" | "skipped" | "failed";
    /** The first one is the reason given when the run failed. */
    errors: readonly string[];
    /** Names of the metrics the run scored, in the order the report lists them. */
    metrics: readonly string[];
    /** True when max-cost-usd stopped the run before every item was evaluated. */
    budgetLimited: boolean;
    /** Each metric's direction as the run recorded it, custom judges included. */
    experiment: { evalResults: Readonly<Record<string, { direction: Direction }>> } | null;
  };
  items: readonly ItemOutcome[];
}

export interface GateInput {
  /** The run's status, metrics and per-item outcomes (current scores, errors). */
  run: GateRun;
  settings: GateSettings;
  /** The current experiment's metadata, compared with the baseline's config. */
  currentConfig?: Record<string, unknown>;
  baseline?: BaselineData | BaselineMissing;
  /** Set when another job gates these results (a shard's slice is gated by its report job): why this one does not. */
  deferred?: string;
  /** Bootstrap resamples and seed; the defaults make verdicts reproducible. */
  bootstrap?: { resamples?: number; seed?: number };
  /** judge-noise-sample's measurement, by metric; a change within it never fails the gate. */
  judgeNoise?: Readonly<Record<string, JudgeNoise>>;
}

export type RegressionClass = "regression" | "noise" | "improvement" | "not-compared";

/** How one metric came out: the table row of the report. */
export type MetricOutcome = "pass" | "fail-threshold" | "fail-regression" | "insufficient-data" | "not-gated";

export interface MetricVerdict {
  name: string;
  direction: Direction;
  /** Mean of the current run's scores; null when nothing was scored. */
  mean: number | null;
  count: number;
  /** Items whose score for this metric could not be computed. */
  failed: number;
  threshold?: Threshold;
  thresholdPassed?: boolean;
  /** Mean of the baseline over the paired items. */
  baselineMean?: number;
  /** Mean paired difference, current minus baseline (sign as the metric reads, not direction-adjusted). */
  delta?: number;
  /** 95% paired bootstrap interval of delta. */
  ci?: [number, number];
  pairedCount?: number;
  /** Largest worsening allowed before a significant drop counts as a regression. */
  allowedDrop?: number;
  regression?: RegressionClass;
  outcome: MetricOutcome;
  /** Declared primary: tested at the full level, outside the corrected family. */
  primary?: boolean;
  /** One-sided bootstrap p-value that the metric got worse than the baseline. */
  pValue?: number;
  /** The level the regression test was held to: 0.025 alone, Holm's step level in a family. */
  testLevel?: number;
  /** Smallest worsening the paired items detect at the test level with 80% power. */
  mde?: number;
  /** When the change is inconclusive: items that would make a change of this size detectable. */
  itemsToResolve?: number;
  /** The judge's noise band on this mean change, when judge-noise-sample measured it. */
  judgeNoise?: { band: number; sd: number; within: boolean };
  /** Mean over items of the standard deviation of an item's repeats; present when repeats > 1. */
  spread?: number;
  /** One sentence a reader can act on. */
  reason: string;
}

export interface GateVerdict {
  state: VerdictState;
  /** True only for state pass. */
  passed: boolean;
  /** Whether the step should fail: some state that applies is listed in fail-on. */
  failsStep: boolean;
  /** Every state that applies, most severe first; `state` is the first (or pass). */
  conditions: VerdictState[];
  /** Why the state is not pass, one line each. */
  reasons: string[];
  metrics: MetricVerdict[];
  notes: string[];
  /** Items evaluated, and those with a task error or a failed score. */
  items: { total: number; taskErrors: number; failedScores: number; errorRate: number };
  /** promptVersion: the commit of the task prompt's version the baseline ran with, when it recorded one. */
  baseline?: { experimentName: string; comparable: boolean; why?: string; promptVersion?: string };
  failOn: readonly FailOnState[];
  /** The multiple-comparison correction: Holm over the metrics gated on regression, unless only one is (or all are primary). */
  correction?: { method: "holm" | "none"; family: string[]; primary: string[] };
  /** Items whose pass/fail flipped between repeats of the same code, with the metrics that flipped. */
  flakyItems?: FlakyItem[];
  /** Task runs per item (the repeats input) when above 1. */
  repeats?: number;
}

export interface FlakyItem {
  datasetItemId: string;
  preview: string;
  metrics: string[];
}
