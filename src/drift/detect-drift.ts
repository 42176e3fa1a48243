import { worsening } from "../gate/metric-direction.js";
import type { HistoryRun, RunHistory } from "../history/run-history.js";
import { DRIFT_FALSE_ALARM_BUDGET, DRIFT_MIN_HEALTH_RUNS, DRIFT_MIN_ITEMS, DRIFT_WORST_ITEMS } from "./defaults.js";
import { buildSignalSeries, type SignalSeries } from "./drift-signals.js";
import { compareWindows, pooledMean, studentQuantile, type RunTotal } from "./window-test.js";
import type { DriftReport, DriftRunRef, DriftSettings, DriftSignal, WindowScores, WorstItem } from "./types.js";

/** What one evaluation of the two windows concludes, before the previous run is considered. */
export interface WindowVerdict {
  sufficient: boolean;
  reason?: string;
  signals: DriftSignal[];
  recentRuns: HistoryRun[];
  referenceRuns: HistoryRun[];
}

function present(totals: readonly (RunTotal | undefined)[]): RunTotal[] {
  return totals.filter((t): t is RunTotal => t !== undefined);
}

function thresholdFor(series: SignalSeries, referenceMean: number): number {
  return "absolute" in series.threshold ? series.threshold.absolute : series.threshold.relative * Math.abs(referenceMean);
}

/** One signal: drifting when its recent mean is worse by at least the threshold and the one-sided bound says worse at all. */
function judgeSignal(series: SignalSeries, windowSize: number, alpha: number): DriftSignal {
  const referenceTotals = present(series.totals.slice(0, -windowSize));
  const recentTotals = present(series.totals.slice(-windowSize));
  const count = (totals: RunTotal[]): number => totals.reduce((n, t) => n + t.count, 0);
  const reference = pooledMean(referenceTotals);
  const recent = pooledMean(recentTotals);
  const base = {
    name: series.name,
    kind: series.kind,
    direction: series.direction,
    threshold: series.threshold,
    reference,
    recent,
    referenceCount: count(referenceTotals),
    recentCount: count(recentTotals),
  };
  const enough =
    series.kind === "metric"
      ? base.referenceCount >= DRIFT_MIN_ITEMS && base.recentCount >= DRIFT_MIN_ITEMS
      : recentTotals.length >= Math.min(DRIFT_MIN_HEALTH_RUNS, windowSize) && referenceTotals.length >= Math.min(DRIFT_MIN_HEALTH_RUNS, windowSize);
  if (!enough || reference === null || recent === null) return { ...base, state: "insufficient-data" };

  // Traffic that stopped is drift however the runs before it varied: no spans in any recent run after a reference with some.
  if (series.name === "spans_per_run" && recent === 0 && reference > 0)
    return {
      ...base,
      state: "drifting",
      effect: { worsening: reference, lowerBound: reference, upperBound: reference },
      note: `traffic stopped: no spans in the last ${recentTotals.length} runs`,
    };

  const pointWorsening = worsening(series.direction, recent - reference);
  const threshold = thresholdFor(series, reference);
  const comparison = compareWindows(referenceTotals, recentTotals);
  if (!comparison) return { ...base, state: "insufficient-data" };
  const margin = studentQuantile(1 - alpha, referenceTotals.length - 1) * comparison.standardError;
  const effect = { worsening: pointWorsening, lowerBound: pointWorsening - margin, upperBound: pointWorsening + margin };
  // Both: worse by at least the minimum effect, and worse beyond the noise the reference shows.
  return { ...base, state: pointWorsening >= threshold && effect.lowerBound > 0 ? "drifting" : "stable", effect };
}

/**
 * Compares the last `window` runs with the `reference` runs before them, signal by signal. The per-run false-alarm
 * budget is split evenly over the signals judged, since a run alarms when any of them drifts.
 */
export function judgeWindows(runs: readonly HistoryRun[], scores: WindowScores, settings: DriftSettings): WindowVerdict {
  const recentRuns = runs.slice(-settings.window);
  const referenceRuns = runs.slice(Math.max(0, runs.length - settings.window - settings.reference), runs.length - settings.window);
  const empty = { signals: [], recentRuns, referenceRuns };
  if (recentRuns.length < settings.window)
    return { ...empty, sufficient: false, reason: `${runs.length} run(s) so far; the recent window needs ${settings.window}` };
  if (referenceRuns.length < settings.window)
    return { ...empty, sufficient: false, reason: `${referenceRuns.length} run(s) before the recent window; the reference needs at least ${settings.window}` };
  const series = buildSignalSeries([...referenceRuns, ...recentRuns], scores, settings.minEffect);
  const alpha = DRIFT_FALSE_ALARM_BUDGET / Math.max(1, series.length);
  const signals = series.map((s) => judgeSignal(s, recentRuns.length, alpha));
  if (!signals.some((s) => s.state !== "insufficient-data"))
    return { ...empty, signals, sufficient: false, reason: `fewer than ${DRIFT_MIN_ITEMS} scored items in a window for every metric` };
  return { sufficient: true, signals, recentRuns, referenceRuns };
}

function runRef(run: HistoryRun): DriftRunRef {
  return { experimentName: run.experimentName, createdAt: run.createdAt, url: run.url };
}

function worstItems(signals: readonly DriftSignal[], recentRuns: readonly HistoryRun[], scores: WindowScores): WorstItem[] {
  const worst: WorstItem[] = [];
  for (const signal of signals) {
    if (signal.kind !== "metric" || signal.state !== "drifting") continue;
    const candidates: WorstItem[] = [];
    for (const run of recentRuns)
      for (const item of scores.get(run.experimentId) ?? [])
        for (const score of item.scores)
          if (score.name === signal.name && Number.isFinite(score.value))
            candidates.push({
              metric: signal.name,
              value: score.value,
              datasetItemId: item.datasetItemId,
              traceId: item.traceId,
              experimentName: run.experimentName,
              url: run.url,
            });
    const sign = signal.direction === "higher-is-better" ? 1 : -1;
    candidates.sort((a, b) => sign * (a.value - b.value) || a.datasetItemId.localeCompare(b.datasetItemId));
    worst.push(...candidates.slice(0, DRIFT_WORST_ITEMS.perMetric));
  }
  return worst.slice(0, DRIFT_WORST_ITEMS.total);
}

/**
 * The drift check: the recent window against the reference window, at the item level, for every metric and health
 * signal. `recovered` is read from the history itself: the same check on the history without its last run drifted
 * and this one does not. So the state needs no store but Opik, and does not depend on whether an issue was opened.
 */
export function detectDrift(history: RunHistory, scores: WindowScores, settings: DriftSettings): DriftReport {
  const runs = [...history.runs].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const now = judgeWindows(runs, scores, settings);
  const before = runs.length > 1 ? judgeWindows(runs.slice(0, -1), scores, settings) : undefined;
  const driftingNames = (verdict: WindowVerdict | undefined): string[] =>
    verdict?.sufficient ? verdict.signals.filter((s) => s.state === "drifting").map((s) => s.name) : [];
  const drifting = driftingNames(now);
  const previouslyDrifting = driftingNames(before);
  const state = !now.sufficient ? "insufficient-data" : drifting.length ? "drifting" : previouslyDrifting.length ? "recovered" : "none";
  return {
    state,
    drifting,
    previouslyDrifting,
    signals: now.signals,
    worstItems: worstItems(now.signals, now.recentRuns, scores),
    recentRuns: now.recentRuns.map(runRef),
    referenceRuns: now.referenceRuns.map(runRef),
    settings,
    ...(now.reason ? { reason: now.reason } : {}),
  };
}

/** The runs whose items the check reads: both windows now, and the one run the previous check reached further back. */
export function runsToLoad(history: RunHistory, settings: DriftSettings): HistoryRun[] {
  const runs = [...history.runs].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return runs.slice(-(settings.window + settings.reference + 1));
}
