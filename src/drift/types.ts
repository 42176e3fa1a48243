import type { Direction } from "../gate/types.js";
import type { FeedbackScore } from "../types.js";

/** What a drift check can conclude about a feature (the `drift` output). */
export const DRIFT_STATES = ["none", "drifting", "recovered", "insufficient-data"] as const;
export type DriftState = (typeof DRIFT_STATES)[number];

export interface DriftSettings {
  /** Runs in the recent window (drift-window); the current run, when it produced an experiment, is the last of them. */
  window: number;
  /** Runs in the reference window just before the recent one (drift-reference). */
  reference: number;
  /** Smallest worsening of a score or rate that counts as drift (drift-min-effect), in the metric's units. */
  minEffect: number;
}

/** One item's scores in one earlier run, as the experiment's items carry them. */
export interface RunItemScores {
  datasetItemId: string;
  traceId: string;
  scores: readonly FeedbackScore[];
}

/** Item-level scores per run, keyed by experiment id: only the runs of the two windows are loaded. */
export type WindowScores = ReadonlyMap<string, readonly RunItemScores[]>;

export type SignalKind = "metric" | "health";

/** One series compared across the windows: a metric's item scores, or a health rate of the runs. */
export interface DriftSignal {
  name: string;
  kind: SignalKind;
  direction: Direction;
  /** Worsening that counts: `minEffect` in the signal's units, or a share of the reference for per-run amounts. */
  threshold: { absolute: number } | { relative: number };
  state: "drifting" | "stable" | "insufficient-data";
  /** Mean over each window (items pooled); null when the window had none. */
  reference: number | null;
  recent: number | null;
  /** Worsening of the recent mean against the reference (positive = worse), with its one-sided interval's bound. */
  effect?: { worsening: number; lowerBound: number; upperBound: number };
  referenceCount: number;
  recentCount: number;
  /** Why the signal drifts, in words, e.g. "traffic stopped: no spans in the last 6 runs". */
  note?: string;
}

/** The items of the recent window that scored worst on a drifting metric, for the issue. */
export interface WorstItem {
  metric: string;
  value: number;
  datasetItemId: string;
  traceId: string;
  experimentName: string;
  url: string;
}

export interface DriftRunRef {
  experimentName: string;
  createdAt: string;
  url: string;
}

export interface DriftReport {
  state: DriftState;
  /** Names of the drifting signals (metrics first, then health), for the drift-metrics output. */
  drifting: string[];
  /** The drifting signals at the previous run, from the same history without its last run. */
  previouslyDrifting: string[];
  signals: DriftSignal[];
  worstItems: WorstItem[];
  recentRuns: DriftRunRef[];
  referenceRuns: DriftRunRef[];
  settings: DriftSettings;
  /** Why the check could not conclude, for insufficient-data. */
  reason?: string;
}
