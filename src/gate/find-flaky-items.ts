import { withinThreshold } from "./threshold-check.js";
import type { ItemOutcome } from "../types.js";
import type { Direction, FlakyItem, ThresholdMap } from "./types.js";

/**
 * Items whose outcome flipped between repeats of the same code: some runs
 * passed a metric and others did not (or the task failed in some runs only).
 * A run passes a metric when its score is within the metric's threshold, or,
 * without one, on the good side of the midpoint of 0–1 (above 0.5 when
 * higher is better).
 */
export function findFlakyItems(items: readonly ItemOutcome[], thresholds: ThresholdMap, directionOf: (metric: string) => Direction): FlakyItem[] {
  const flaky: FlakyItem[] = [];
  for (const item of items) {
    const runs = item.runs ?? [];
    if (runs.length < 2) continue;
    const metrics = new Set<string>();
    for (const run of runs) for (const name of Object.keys(run.scores)) metrics.add(name);
    const flipped = [...metrics].filter((name) => {
      const outcomes = new Set(runs.map((run) => (run.scores[name] === undefined ? "error" : passes(run.scores[name], thresholds[name], directionOf(name)))));
      return outcomes.size > 1;
    });
    const taskFlipped = new Set(runs.map((run) => run.taskError === undefined)).size > 1;
    if (taskFlipped) flipped.unshift("task");
    if (flipped.length) flaky.push({ datasetItemId: item.datasetItemId, preview: item.preview ?? item.input, metrics: flipped });
  }
  return flaky;
}

function passes(value: number, threshold: ThresholdMap[string] | undefined, direction: Direction): boolean {
  if (threshold) return withinThreshold(value, threshold);
  return direction === "lower-is-better" ? value <= 0.5 : value >= 0.5;
}
