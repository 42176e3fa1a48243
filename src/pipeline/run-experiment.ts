import { EVALUATION_WRITE_BATCH } from "../constants.js";
import { errorMessage } from "../errors.js";
import { extractText } from "../metrics/extract-text.js";
import type { EvaluationRecord, OpikGateway } from "../opik/opik-gateway.js";
import type { DatasetItemRecord, DatasetRecord, ExperimentItemRecord, FeedbackScore, ItemOutcome, Metric, SpanRecord, TokenUsage } from "../types.js";
import { mapConcurrent } from "../util/map-concurrent.js";
import type { EvaluationTask } from "./evaluation-task.js";
import type { Logger } from "./logger.js";
import { summarizeScores, type MetricSummary } from "./summarize-scores.js";

export interface ExperimentResult {
  status: "success" | "failed";
  experiment_name: string;
  experiment_id: string;
  experiment_url: string;
  items_total: number;
  /** Items evaluated by an earlier, interrupted run and kept as they were. */
  items_resumed: number;
  task_errors: number;
  eval_results: Record<string, MetricSummary>;
  usage: TokenUsage;
}

export interface ItemError {
  dataset_item_id: string;
  span_id?: string;
  message: string;
}

export interface ExperimentOptions {
  name: string;
  dataset: DatasetRecord;
  items: readonly DatasetItemRecord[];
  metrics: readonly Metric[];
  task: EvaluationTask;
  concurrency: number;
  metadata: Record<string, unknown>;
  log: Logger;
}

/** An earlier attempt's experiment item counts as done only when it carries every metric's score. */
function isComplete(item: ExperimentItemRecord | undefined, metricNames: readonly string[]): boolean {
  return Boolean(item && metricNames.every((name) => item.feedbackScores.some((s) => s.name === name)));
}

/**
 * Step 4: the experiment over the dataset. Each item runs the task and every
 * metric; finished items are written in batches (trace, experiment item,
 * scores) through calls that throw. Rerun on the same dataset, it evaluates
 * only what an interrupted run left incomplete, into the same experiment.
 */
/** Texts kept per item for the report: enough to read, bounded in memory. */
const OUTCOME_TEXT_LIMIT = 2000;

export async function runExperiment(opik: OpikGateway, options: ExperimentOptions): Promise<{ result: ExperimentResult; itemErrors: ItemError[]; metricErrors: string[]; outcomes: ItemOutcome[] }> {
  const metricNames = options.metrics.map((m) => m.name);
  const existing = await opik.findExperiment(options.name, options.dataset);
  const experiment = existing ?? (await opik.createExperiment(options.name, options.dataset, options.metadata));
  const earlier = new Map((existing ? await opik.listExperimentItems(experiment) : []).map((item) => [item.datasetItemId, item]));

  const scores: FeedbackScore[] = [];
  const failures = new Map<string, number>();
  const metricErrors: string[] = [];
  const itemErrors: ItemError[] = [];
  const usage: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  const outcomes: ItemOutcome[] = [];
  const needsTraceSpans = options.metrics.some((m) => m.needsTraceSpans);
  const todo: DatasetItemRecord[] = [];
  for (const item of options.items) {
    const before = earlier.get(item.id);
    if (before && isComplete(before, metricNames)) {
      scores.push(...before.feedbackScores);
      outcomes.push({
        datasetItemId: item.id,
        ...(typeof item.data.span_id === "string" ? { spanId: item.data.span_id } : {}),
        traceId: before.traceId,
        input: extractText(item.data.input).slice(0, OUTCOME_TEXT_LIMIT),
        output: "",
        scores: Object.fromEntries(before.feedbackScores.map((s) => [s.name, { value: s.value, ...(s.reason ? { reason: s.reason } : {}) }])),
        failedMetrics: {},
      });
    } else {
      todo.push(item);
    }
  }
  const resumed = options.items.length - todo.length;
  if (resumed) options.log.info(`Experiment ${options.name}: ${resumed} item(s) already evaluated by an earlier run, ${todo.length} to go`);

  let buffer: EvaluationRecord[] = [];
  let writes = Promise.resolve();
  let writeError: { error: unknown } | undefined;
  const flush = (): Promise<void> => {
    const batch = buffer;
    buffer = [];
    if (batch.length) {
      writes = writes.then(() => opik.writeEvaluations(experiment, batch));
      writes.catch((error: unknown) => (writeError ??= { error }));
    }
    return writes;
  };

  let done = 0;
  const progressEvery = Math.max(1, Math.ceil(todo.length / 10));
  await mapConcurrent(todo, options.concurrency, async (item) => {
    // Stop spending on the task and judges once Opik stopped taking the results.
    if (writeError) throw writeError.error;
    const before = earlier.get(item.id);
    const startTime = new Date();
    const record: EvaluationRecord = {
      datasetItemId: item.id,
      traceId: before?.traceId ?? opik.newId(),
      experimentItemId: before?.id ?? opik.newId(),
      startTime,
      endTime: startTime,
      input: { ...item.data, id: item.id },
      output: {},
      scores: [],
    };
    const outcome: ItemOutcome = {
      datasetItemId: item.id,
      ...(typeof item.data.span_id === "string" ? { spanId: item.data.span_id } : {}),
      traceId: record.traceId,
      input: extractText(item.data.input).slice(0, OUTCOME_TEXT_LIMIT),
      output: "",
      scores: {},
      failedMetrics: {},
    };
    try {
      const taskOutput = await options.task(item);
      record.output = { output: taskOutput.output };
      if (taskOutput.usage) {
        usage.promptTokens += taskOutput.usage.promptTokens;
        usage.completionTokens += taskOutput.usage.completionTokens;
        usage.totalTokens += taskOutput.usage.totalTokens;
      }
      const traceSpans: SpanRecord[] | undefined = needsTraceSpans && typeof item.data.trace_id === "string" ? await opik.listTraceSpans(item.data.trace_id) : undefined;
      const metricInput = {
        data: item.data,
        input: extractText(item.data.input),
        output: extractText(taskOutput.output),
        rawOutput: taskOutput.output,
        expected: extractText(item.data.expected_output),
        ...(traceSpans ? { traceSpans } : {}),
      };
      outcome.output = metricInput.output.slice(0, OUTCOME_TEXT_LIMIT);
      for (const metric of options.metrics) {
        const result = await metric.score(metricInput);
        if (result.ok) {
          record.scores.push({ name: result.name, value: result.value, ...(result.reason ? { reason: result.reason } : {}) });
          outcome.scores[result.name] = { value: result.value, ...(result.reason ? { reason: result.reason } : {}) };
        } else {
          failures.set(result.name, (failures.get(result.name) ?? 0) + 1);
          outcome.failedMetrics[result.name] = result.error;
          if (metricErrors.length < 20) metricErrors.push(`${result.name} failed on dataset item ${item.id}: ${result.error}`);
        }
      }
    } catch (error) {
      // One item's task failure never fails the others; Opik shows it on the item's trace.
      // Opik rejects error_info without a traceback.
      record.error = { exceptionType: error instanceof Error ? error.name : "Error", message: errorMessage(error), traceback: (error instanceof Error && error.stack) || errorMessage(error) };
      itemErrors.push({ dataset_item_id: item.id, ...(typeof item.data.span_id === "string" ? { span_id: item.data.span_id } : {}), message: errorMessage(error) });
      outcome.taskError = errorMessage(error);
    }
    outcomes.push(outcome);
    record.endTime = new Date();
    scores.push(...record.scores);
    buffer.push(record);
    if (buffer.length >= EVALUATION_WRITE_BATCH) void flush().catch(() => undefined);
    done += 1;
    if (done % progressEvery === 0 || done === todo.length) options.log.info(`Evaluated ${done}/${todo.length} items`);
  });
  await flush();

  const written = await opik.listExperimentItems(experiment);
  const writtenIds = new Set(written.map((item) => item.datasetItemId));
  const missing = options.items.filter((item) => !writtenIds.has(item.id));
  if (missing.length) throw new Error(`Opik experiment "${options.name}" is missing ${missing.length} of ${options.items.length} items after writing them`);

  const evaluated = options.items.length - itemErrors.length;
  return {
    result: {
      status: evaluated > 0 || options.items.length === 0 ? "success" : "failed",
      experiment_name: experiment.name,
      experiment_id: experiment.id,
      experiment_url: opik.experimentUrl(experiment, options.dataset),
      items_total: options.items.length,
      items_resumed: resumed,
      task_errors: itemErrors.length,
      eval_results: summarizeScores(metricNames, scores, failures),
      usage,
    },
    itemErrors,
    metricErrors,
    outcomes,
  };
}
