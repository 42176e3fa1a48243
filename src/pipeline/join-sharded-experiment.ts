import type { OpikGateway } from "../opik/opik-gateway.js";
import type { DatasetRecord, NamedExperiment } from "../types.js";

/** The experiment the shards and the report job of one evaluation share: named by shard-run, not by the clock. */
export function shardedExperimentName(experimentPrefix: string, shardRun: string, label: string): string {
  return `${experimentPrefix}-eval-run${shardRun}-${label}`;
}

/**
 * The dataset a shard evaluates. Shards resolve `dataset: latest` each on their own, and a scheduled run may finish
 * a newer dataset in between: a shard that finds its run's experiment already created follows that experiment's
 * dataset, so every shard writes into the one experiment.
 */
export async function joinShardedExperiment(
  opik: OpikGateway,
  experimentName: string,
  resolved: DatasetRecord,
): Promise<{ dataset: DatasetRecord; joined?: NamedExperiment } | { problem: string }> {
  const existing = await opik.findExperimentsByName(experimentName);
  if (existing.length > 1) return { problem: ambiguous(experimentName, existing) };
  const [joined] = existing;
  if (!joined || joined.datasetName === resolved.name) return { dataset: resolved, ...(joined ? { joined } : {}) };
  const dataset = await opik.findDataset(joined.datasetName);
  if (!dataset) return { problem: `experiment ${experimentName} ran on dataset ${joined.datasetName}, which no longer exists` };
  return { dataset, joined };
}

export function ambiguous(experimentName: string, found: readonly NamedExperiment[]): string {
  const datasets = found.map((e) => e.datasetName).join(", ");
  return `${found.length} experiments are named ${experimentName} (on datasets ${datasets}): the shards of one shard-run must evaluate one dataset; set dataset to its name and rerun every shard with a new shard-run`;
}
