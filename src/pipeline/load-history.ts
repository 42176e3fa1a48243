import { HISTORY_READ } from "../constants.js";
import type { ActionConfig } from "../config/parse-config.js";
import type { HistoryRun, RunHistory } from "../history/run-history.js";
import type { ExperimentAggregate, OpikGateway } from "../opik/opik-gateway.js";
import { readRunHealth } from "./run-health.js";
import { mapBounded } from "../util/map-bounded.js";

/** What the history needs of the configuration: the feature's names and how many runs to read. */
export type HistoryConfig = Pick<ActionConfig, "experimentType" | "trendRuns"> & {
  feature: Pick<ActionConfig["feature"], "experimentPrefix" | "datasetPrefix">;
};

/** The run being reported, when it produced an experiment: a scheduled run's own experiment ends its history. */
export interface CurrentRun {
  experimentId?: string;
}

/**
 * A scheduled run of the feature: an experiment the action named for the feature, run in harvest mode on one of the
 * feature's harvested datasets. Pull request experiments share the name prefix and often the dataset, not the mode.
 */
function isScheduledRun(e: ExperimentAggregate, config: HistoryConfig): boolean {
  const { experimentPrefix, datasetPrefix } = config.feature;
  const mode = e.metadata.mode;
  return e.name.startsWith(`${experimentPrefix}-eval-`) && e.datasetName.startsWith(`${datasetPrefix}-`) && (mode === "harvest" || mode === undefined);
}

/** The newest scheduled runs, at most `limit`, paging Opik's list (newest first, filtered by name on the server). */
async function newestScheduledRuns(opik: OpikGateway, config: HistoryConfig): Promise<ExperimentAggregate[]> {
  const found: ExperimentAggregate[] = [];
  const seen = new Set<string>();
  const size = HISTORY_READ.pageSize;
  for (let page = 1; found.length < config.trendRuns; page += 1) {
    const rows = await opik.findExperimentsPage(`${config.feature.experimentPrefix}-eval-`, page, size);
    // A run created between two page reads shifts the pages by one: a row seen twice is counted once.
    for (const row of rows) {
      if (seen.has(row.id) || !isScheduledRun(row, config)) continue;
      seen.add(row.id);
      found.push(row);
      if (found.length === config.trendRuns) break;
    }
    if (rows.length < size) break;
  }
  return found;
}

/** Per-metric mean and count from the experiment's items, for an experiment Opik reports no averages for. */
async function aggregateItems(opik: OpikGateway, e: ExperimentAggregate): Promise<HistoryRun["metrics"]> {
  const sums = new Map<string, { total: number; count: number }>();
  for (const item of await opik.listExperimentItems({ id: e.id, name: e.name })) {
    for (const score of item.feedbackScores) {
      if (!Number.isFinite(score.value)) continue;
      const entry = sums.get(score.name) ?? { total: 0, count: 0 };
      sums.set(score.name, { total: entry.total + score.value, count: entry.count + 1 });
    }
  }
  return Object.fromEntries([...sums].map(([name, { total, count }]) => [name, { mean: total / count, count }]));
}

async function toHistoryRun(opik: OpikGateway, e: ExperimentAggregate, url: (e: ExperimentAggregate) => string): Promise<HistoryRun> {
  const { health, metricCounts } = readRunHealth(e.metadata);
  // Opik's averages carry no count: the run recorded its own, else every evaluated item counts.
  const metrics = e.feedbackScores.length
    ? Object.fromEntries(e.feedbackScores.map((s) => [s.name, { mean: s.mean, count: metricCounts[s.name] ?? e.traceCount }]))
    : e.traceCount > 0
      ? await aggregateItems(opik, e)
      : {};
  return {
    experimentId: e.id,
    experimentName: e.name,
    datasetId: e.datasetId,
    datasetName: e.datasetName,
    createdAt: e.createdAt,
    url: url(e),
    metrics,
    health: { ...health, items: health.items || e.traceCount },
  };
}

/**
 * The feature's scheduled runs as Opik records them, oldest first, at most trend-runs: each experiment's per-metric
 * means (Opik's own aggregate, or its items' when it has none) and the health the run recorded. A scheduled run's
 * own experiment, being the newest, comes last; a pull request's run reads the same history and is not part of it.
 * Throws when Opik cannot be read: callers treat that as a warning.
 */
export async function loadRunHistory(opik: OpikGateway, config: HistoryConfig, current: CurrentRun = {}): Promise<RunHistory> {
  const experiments = await newestScheduledRuns(opik, config);
  const url = (e: ExperimentAggregate): string => opik.experimentUrl({ id: e.id, name: e.name }, { id: e.datasetId, name: e.datasetName, tags: [] });
  const runs = await mapBounded(experiments, HISTORY_READ.itemConcurrency, (e) => toHistoryRun(opik, e, url));
  runs.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const own = runs.findIndex((run) => run.experimentId === current.experimentId);
  if (own >= 0) runs.push(...runs.splice(own, 1));
  return { experimentType: config.experimentType, runs };
}
