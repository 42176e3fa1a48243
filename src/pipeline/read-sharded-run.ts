import type { OpikGateway } from "../opik/opik-gateway.js";
import type { ExperimentOutcome, MetricSummary } from "../run-result.js";
import { extractText } from "../metrics/extract-text.js";
import type { DatasetRecord, ExperimentItemRecord, FeedbackScore, ItemOutcome } from "../types.js";
import { userPreview } from "./item-preview.js";
import { ambiguous } from "./join-sharded-experiment.js";
import { OUTCOME_TEXT_LIMIT } from "./run-experiment.js";
import { summarizeScores } from "./summarize-scores.js";

export interface ShardedRun {
  dataset: DatasetRecord;
  experiment: ExperimentOutcome;
  outcomes: ItemOutcome[];
  /** The config the shards recorded on the experiment, which the gate compares with the baseline's. */
  experimentConfig: Record<string, unknown>;
  /** Why the pooled results are not the whole dataset, or not what this job was configured for; empty when they are. */
  problems: string[];
}

/** The output the evaluation trace recorded: the task's answer under `output`, as runExperiment writes it. */
function taskOutput(item: ExperimentItemRecord): unknown {
  const output = item.output;
  return output && typeof output === "object" && !Array.isArray(output) && "output" in output ? output.output : output;
}

/** Of two rows for one dataset item (a write repeated under another id), the one that carries more scores. */
function fullest(rows: readonly ExperimentItemRecord[]): ExperimentItemRecord | undefined {
  return [...rows].sort((a, b) => b.feedbackScores.length - a.feedbackScores.length)[0];
}

/**
 * The report job's Step 4: the experiment its shards wrote, read back from Opik and pooled into the outcome one
 * unsharded run would have had, so the gate and the report read it alike.
 */
export async function readShardedRun(
  opik: OpikGateway,
  options: { experimentName: string; metrics: readonly string[]; directions: Readonly<Record<string, MetricSummary["direction"]>> },
): Promise<ShardedRun | { problem: string }> {
  const { experimentName, metrics } = options;
  const found = await opik.findExperimentsByName(experimentName);
  if (found.length > 1) return { problem: ambiguous(experimentName, found) };
  const [experiment] = found;
  if (!experiment) {
    return {
      problem: `no experiment named ${experimentName} in Opik: the report job reads what its shards wrote, so it needs them to have run first (needs: in the workflow) with the same experiment-type and shard-run`,
    };
  }
  const dataset = await opik.findDataset(experiment.datasetName);
  if (!dataset) return { problem: `experiment ${experimentName} ran on dataset ${experiment.datasetName}, which no longer exists` };
  const [datasetItems, experimentItems] = await Promise.all([opik.listDatasetItems(dataset), opik.listExperimentItems(experiment)]);

  const problems: string[] = [];
  const recorded = experiment.metadata.metrics;
  if (Array.isArray(recorded) && recorded.join(",") !== metrics.join(",")) {
    problems.push(
      `metrics: the shards scored ${recorded.join(", ")} but this job is configured for ${metrics.join(", ")}; give the report job the same metrics and config as its shards`,
    );
  }

  const rowsByItem = new Map<string, ExperimentItemRecord[]>();
  for (const row of experimentItems) rowsByItem.set(row.datasetItemId, [...(rowsByItem.get(row.datasetItemId) ?? []), row]);
  const scores: FeedbackScore[] = [];
  const failures = new Map<string, number>();
  const outcomes: ItemOutcome[] = [];
  let missing = 0;
  let taskErrors = 0;
  for (const item of datasetItems) {
    const row = fullest(rowsByItem.get(item.id) ?? []);
    if (!row) {
      missing += 1;
      continue;
    }
    const own = row.feedbackScores.filter((score) => metrics.includes(score.name));
    scores.push(...own);
    const outcome: ItemOutcome = {
      datasetItemId: item.id,
      ...(typeof item.data.span_id === "string" ? { spanId: item.data.span_id } : {}),
      traceId: row.traceId,
      input: extractText(item.data.input).slice(0, OUTCOME_TEXT_LIMIT),
      ...userPreview(item.data.input),
      output: extractText(taskOutput(row)).slice(0, OUTCOME_TEXT_LIMIT),
      scores: Object.fromEntries(own.map((s) => [s.name, { value: s.value, ...(s.reason ? { reason: s.reason } : {}) }])),
      failedMetrics: {},
    };
    // A shard writes an item without scores only when its task failed; one missing some scores had a metric fail.
    if (own.length === 0 && metrics.length > 0) {
      outcome.taskError = "the task failed in its shard (the shard job's summary and the item's trace in Opik say why)";
      taskErrors += 1;
    } else {
      for (const name of metrics.filter((name) => !outcome.scores[name])) {
        outcome.failedMetrics[name] = "not scored in its shard (the shard job's summary says why)";
        failures.set(name, (failures.get(name) ?? 0) + 1);
      }
    }
    outcomes.push(outcome);
  }
  if (missing) {
    const shards = typeof experiment.metadata.shards === "number" ? ` of its ${experiment.metadata.shards} shards` : "";
    problems.push(
      `${missing} of ${datasetItems.length} items of ${dataset.name} have no result in experiment ${experimentName}: a shard${shards} did not finish; rerun the failed shard jobs, then this job`,
    );
  }
  return {
    dataset,
    experimentConfig: experiment.metadata,
    outcomes,
    problems,
    experiment: {
      status: outcomes.length - taskErrors > 0 || datasetItems.length === 0 ? "success" : "failed",
      name: experiment.name,
      id: experiment.id,
      url: opik.experimentUrl(experiment, dataset),
      itemsTotal: datasetItems.length,
      itemsResumed: 0,
      itemsNotStarted: missing,
      taskErrors,
      evalResults: summarizeScores(metrics, scores, failures, options.directions),
    },
  };
}
