/**
 * A feature's earlier scheduled runs, read back from Opik (issue 11): the trend charts and the drift check read these,
 * so there is no store but Opik's own experiments.
 */

/** What a scheduled run records about itself in its experiment's metadata, so later runs can chart its health. */
export interface RunHealth {
  /** Items the experiment evaluated. */
  items: number;
  spansHarvested?: number;
  errorTracesDeleted?: number;
  /** Scores a judge could not compute. */
  judgeFailures?: number;
  /** Null when a model's price is unknown. */
  costUsd?: number | null;
}

/** One earlier run of the feature: its experiment and what it measured. */
export interface HistoryRun {
  experimentId: string;
  experimentName: string;
  datasetId: string;
  datasetName: string;
  /** ISO time the experiment was created; runs are ordered by it. */
  createdAt: string;
  url: string;
  /** Per-metric mean and count, from the experiment's own aggregate or, without one, from its items. */
  metrics: Record<string, { mean: number | null; count: number }>;
  health: RunHealth;
}

/** A feature's runs, oldest first, at most trend-runs of them; the current run, when it produced an experiment, is last. */
export interface RunHistory {
  experimentType: string;
  runs: HistoryRun[];
}
