import type { FeedbackScore, ItemOutcome, ItemRun } from "../types.js";

/** What one run of an item's task and metrics produced. */
export interface RunScores {
  scores: readonly FeedbackScore[];
  failedMetrics: Record<string, string>;
  taskError?: string;
}

/**
 * An item's runs as one outcome: each metric's score is the mean of the runs
 * that scored it (the first run's reason kept); a metric failed, or the task,
 * only when it failed in every run, so one bad repeat is not an item error.
 */
export function combineRuns(runs: readonly RunScores[]): Pick<ItemOutcome, "scores" | "failedMetrics" | "taskError"> & { runs: ItemRun[] } {
  const values = new Map<string, { sum: number; count: number; reason?: string }>();
  for (const run of runs) {
    for (const score of run.scores) {
      const entry = values.get(score.name) ?? { sum: 0, count: 0, ...(score.reason ? { reason: score.reason } : {}) };
      entry.sum += score.value;
      entry.count += 1;
      values.set(score.name, entry);
    }
  }
  const scores: ItemOutcome["scores"] = {};
  for (const [name, { sum, count, reason }] of values) scores[name] = { value: sum / count, ...(reason ? { reason } : {}) };
  const failedMetrics: Record<string, string> = {};
  for (const run of runs) for (const [name, error] of Object.entries(run.failedMetrics)) if (!values.has(name)) failedMetrics[name] ??= error;
  const taskErrors = runs.filter((run) => run.taskError !== undefined);
  return {
    scores,
    failedMetrics,
    ...(runs.length > 0 && taskErrors.length === runs.length ? { taskError: taskErrors[0]?.taskError } : {}),
    runs: runs.map((run) => ({
      scores: Object.fromEntries(run.scores.map((score) => [score.name, score.value])),
      ...(run.taskError !== undefined ? { taskError: run.taskError } : {}),
    })),
  };
}
