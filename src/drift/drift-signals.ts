import { directionOf } from "../gate/metric-direction.js";
import type { Direction } from "../gate/types.js";
import type { HistoryRun } from "../history/run-history.js";
import type { RunTotal } from "./window-test.js";
import type { DriftSignal, WindowScores } from "./types.js";

/** A signal's per-run totals over both windows; a run without the data has no entry. */
export interface SignalSeries {
  name: string;
  kind: DriftSignal["kind"];
  direction: Direction;
  threshold: DriftSignal["threshold"];
  /** Aligned with the runs it was built from; undefined where the run did not record it. */
  totals: (RunTotal | undefined)[];
}

/** Per-run amounts (spans, cost) vary in scale between features: their drift is a share of the reference. */
export const HEALTH_RELATIVE_EFFECT = { spans_per_run: 0.5, cost_per_item: 0.25 } as const;

function metricTotal(run: HistoryRun, scores: WindowScores, metric: string): RunTotal | undefined {
  const items = scores.get(run.experimentId);
  if (items) {
    let sum = 0;
    let sumSquares = 0;
    let count = 0;
    for (const item of items)
      for (const score of item.scores)
        if (score.name === metric && Number.isFinite(score.value)) {
          sum += score.value;
          sumSquares += score.value * score.value;
          count += 1;
        }
    return { sum, sumSquares, count };
  }
  // Items not loaded (a run outside the windows, or a read that failed): the run's own aggregate stands in.
  const aggregate = run.metrics[metric];
  return aggregate && aggregate.mean !== null ? { sum: aggregate.mean * aggregate.count, count: aggregate.count } : undefined;
}

function metricNames(runs: readonly HistoryRun[], scores: WindowScores): string[] {
  const names = new Set<string>();
  for (const run of runs) {
    for (const name of Object.keys(run.metrics)) names.add(name);
    for (const item of scores.get(run.experimentId) ?? []) for (const score of item.scores) names.add(score.name);
  }
  return [...names].sort();
}

/** Each metric's item scores and each health rate, per run, for the runs given (both windows, oldest first). */
export function buildSignalSeries(runs: readonly HistoryRun[], scores: WindowScores, minEffect: number): SignalSeries[] {
  const metrics: SignalSeries[] = metricNames(runs, scores).map((name) => ({
    name,
    kind: "metric",
    direction: directionOf(name),
    threshold: { absolute: minEffect },
    totals: runs.map((run) => metricTotal(run, scores, name)),
  }));
  const health = (name: string, direction: Direction, threshold: DriftSignal["threshold"], total: (run: HistoryRun) => RunTotal | undefined): SignalSeries => ({
    name,
    kind: "health",
    direction,
    threshold,
    totals: runs.map(total),
  });
  const known = (value: number | null | undefined): value is number => typeof value === "number" && Number.isFinite(value);
  const series = [
    ...metrics,
    health("error_trace_rate", "lower-is-better", { absolute: minEffect }, ({ health: h }) =>
      known(h.errorTracesDeleted) && known(h.spansHarvested) ? { sum: h.errorTracesDeleted, count: h.errorTracesDeleted + h.spansHarvested } : undefined,
    ),
    health("judge_failure_rate", "lower-is-better", { absolute: minEffect }, ({ health: h }) =>
      known(h.judgeFailures) && h.items > 0 ? { sum: h.judgeFailures, count: h.items } : undefined,
    ),
    health("spans_per_run", "higher-is-better", { relative: HEALTH_RELATIVE_EFFECT.spans_per_run }, ({ health: h }) =>
      known(h.spansHarvested) ? { sum: h.spansHarvested, count: 1 } : undefined,
    ),
    health("cost_per_item", "lower-is-better", { relative: HEALTH_RELATIVE_EFFECT.cost_per_item }, ({ health: h }) =>
      known(h.costUsd) && h.items > 0 ? { sum: h.costUsd, count: h.items } : undefined,
    ),
  ];
  // A health series no run recorded is not a signal at all (older runs, or a mode that does not harvest).
  return series.filter((s) => s.kind === "metric" || s.totals.some((t) => t !== undefined));
}
