import { HEALTH_METADATA_KEY } from "../constants.js";
import type { RunHealth } from "../history/run-history.js";
import type { OpikGateway } from "../opik/opik-gateway.js";
import type { RunResult } from "../run-result.js";
import type { ExperimentRecord } from "../types.js";

/** A run's health as its experiment's metadata carries it (snake_case, like the rest of the metadata). */
interface HealthMetadata {
  items?: number;
  spans_harvested?: number;
  error_traces_deleted?: number;
  judge_failures?: number;
  cost_usd?: number | null;
  /** Scores each metric produced: Opik's experiment list gives means only. */
  metric_counts?: Record<string, number>;
}

/** What a harvest run knows before its experiment starts, recorded when the experiment is created. */
export function knownHealth(result: RunResult): Record<string, HealthMetadata> {
  return { [HEALTH_METADATA_KEY]: { spans_harvested: result.spansNew, error_traces_deleted: result.cleanupResult?.deleted ?? 0 } };
}

function finalHealth(result: RunResult): HealthMetadata {
  const summaries = Object.entries(result.experiment?.evalResults ?? {});
  return {
    items: result.experiment?.itemsTotal ?? 0,
    spans_harvested: result.spansNew,
    error_traces_deleted: result.cleanupResult?.deleted ?? 0,
    judge_failures: summaries.reduce((sum, [, summary]) => sum + summary.failed, 0),
    cost_usd: result.usage.costUsd,
    metric_counts: Object.fromEntries(summaries.map(([name, summary]) => [name, summary.count])),
  };
}

/** Records the finished run's health on its experiment, confirmed by a read-back, so later runs can chart it. */
export async function recordRunHealth(opik: OpikGateway, experiment: ExperimentRecord, result: RunResult): Promise<void> {
  await opik.addExperimentMetadata(experiment, { [HEALTH_METADATA_KEY]: finalHealth(result) });
}

const count = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined);

/** The health an experiment's metadata records, and its per-metric counts; empty for an experiment that recorded none. */
export function readRunHealth(metadata: Record<string, unknown>): { health: RunHealth; metricCounts: Record<string, number> } {
  const raw = metadata[HEALTH_METADATA_KEY];
  const recorded: Record<string, unknown> = raw && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const spansHarvested = count(recorded.spans_harvested);
  const errorTracesDeleted = count(recorded.error_traces_deleted);
  const judgeFailures = count(recorded.judge_failures);
  const cost = recorded.cost_usd === null ? null : count(recorded.cost_usd);
  const counts = recorded.metric_counts && typeof recorded.metric_counts === "object" ? (recorded.metric_counts as Record<string, unknown>) : {};
  return {
    health: {
      items: count(recorded.items) ?? 0,
      ...(spansHarvested !== undefined ? { spansHarvested } : {}),
      ...(errorTracesDeleted !== undefined ? { errorTracesDeleted } : {}),
      ...(judgeFailures !== undefined ? { judgeFailures } : {}),
      ...(cost !== undefined ? { costUsd: cost } : {}),
    },
    metricCounts: Object.fromEntries(Object.entries(counts).flatMap(([name, value]) => (count(value) !== undefined ? [[name, value as number]] : []))),
  };
}
