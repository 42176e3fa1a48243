import type { HistoryRun, RunHealth, RunHistory } from "../history/run-history.js";
import type { OpikGateway } from "../opik/opik-gateway.js";
import { listHarvestedDatasets } from "../pipeline/list-harvested-datasets.js";
import { mapBounded } from "./load-window-scores.js";

const DATASET_READS_AT_ONCE = 4;

function healthOf(metadata: Record<string, unknown>): RunHealth {
  const raw = metadata.health;
  const record = raw && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const count = (key: string): number | undefined => (typeof record[key] === "number" && Number.isFinite(record[key]) ? record[key] : undefined);
  const cost = record.costUsd === null ? null : count("costUsd");
  return {
    items: count("items") ?? 0,
    ...(count("spansHarvested") !== undefined ? { spansHarvested: count("spansHarvested") } : {}),
    ...(count("errorTracesDeleted") !== undefined ? { errorTracesDeleted: count("errorTracesDeleted") } : {}),
    ...(count("judgeFailures") !== undefined ? { judgeFailures: count("judgeFailures") } : {}),
    ...(cost !== undefined ? { costUsd: cost } : {}),
  };
}

/**
 * A minimal history for the drift check until the trend history loader is merged: the feature's scheduled runs are
 * its harvested datasets' experiments (named after the experiment prefix), the newest `limit` of them, oldest first.
 * Per-metric aggregates are left to the item scores the drift check loads; health is whatever the run recorded under
 * `metadata.health`.
 */
export async function loadFeatureRuns(
  opik: OpikGateway,
  feature: { experimentType: string; datasetPrefix: string; experimentPrefix: string },
  limit: number,
): Promise<RunHistory> {
  // Dataset names sort by creation time, and a scheduled run makes one dataset: the newest `limit` hold the runs.
  const datasets = (await listHarvestedDatasets(opik, feature.datasetPrefix)).slice(-limit);
  const perDataset = await mapBounded(datasets, DATASET_READS_AT_ONCE, async (dataset) =>
    (await opik.listExperiments(dataset))
      // The scheduled run's own experiment, named after its dataset; a pull request's on the same dataset is not a run of the schedule.
      .filter((experiment) => experiment.name === `${feature.experimentPrefix}-eval-${dataset.name.slice(feature.datasetPrefix.length + 1)}`)
      .map((experiment): HistoryRun => ({
        experimentId: experiment.id,
        experimentName: experiment.name,
        datasetId: dataset.id,
        datasetName: dataset.name,
        createdAt: experiment.createdAt,
        url: opik.experimentUrl(experiment, dataset),
        metrics: {},
        health: healthOf(experiment.metadata),
      })),
  );
  const runs = perDataset.flat().sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.experimentName.localeCompare(b.experimentName));
  return { experimentType: feature.experimentType, runs: runs.slice(-limit) };
}
