import { EVALUATION_SPAN_BYTES, EVALUATION_WRITE_BATCH } from "../constants.js";
import { errorMessage } from "../errors.js";
import type { ExperimentOutcome } from "../run-result.js";
import { extractText } from "../metrics/extract-text.js";
import { userPreview } from "./item-preview.js";
import type { EvaluationRecord, OpikGateway } from "../opik/opik-gateway.js";
import type {
  DatasetItemRecord,
  DatasetRecord,
  ExperimentItemRecord,
  ExperimentRecord,
  FeedbackScore,
  ItemOutcome,
  Metric,
  MetricInput,
  MetricResult,
} from "../types.js";
import type { AdaptiveLimiter } from "../util/adaptive-limiter.js";
import { measureJudgeNoise } from "../gate/judge-noise.js";
import type { JudgeNoise } from "../gate/types.js";
import { runEvaluationIds } from "./derived-id.js";
import { combineRuns, type RunScores } from "./combine-runs.js";
import type { EvaluationTask } from "./evaluation-task.js";
import { fitJson, ITEM_BYTES } from "./fit-item.js";
import type { Logger } from "./logger.js";
import { summarizeScores } from "./summarize-scores.js";
import type { UsageMeter } from "./usage-meter.js";
import { evaluationSpans } from "./evaluation-spans.js";
import { SpanTrace } from "./span-recorder.js";

export interface ItemError {
  datasetItemId: string;
  spanId?: string;
  message: string;
}

export interface ExperimentOptions {
  name: string;
  dataset: DatasetRecord;
  items: readonly DatasetItemRecord[];
  metrics: readonly Metric[];
  task: EvaluationTask;
  /** Bounds the items in flight; shrinks while providers push back. */
  limiter: AdaptiveLimiter;
  /** Stop starting items once the estimated spend reaches maxCostUsd. */
  budget?: { maxCostUsd: number; meter: UsageMeter };
  metadata: Record<string, unknown>;
  /** Which way each metric reads, recorded with its summary. */
  directions: Readonly<Record<string, "higher-is-better" | "lower-is-better">>;
  /** Continue an experiment of the same name left incomplete on this dataset (harvest mode); else always start a new one. */
  resume: boolean;
  /** The experiment's id when it is created; a derived one makes a create repeated by another run fail instead of doubling. */
  experimentId?: string;
  /** Prompt version ids the new experiment is linked to. */
  promptVersions?: readonly string[];
  /** Task runs per item, each judged and written as its own experiment item (as the SDK's runs_per_item does); default 1. */
  repeats?: number;
  /** Re-judge this many outputs `judgments` times to measure each metric's own noise (judge-noise-sample). */
  judgeNoise?: { sample: number; judgments: number };
  log: Logger;
}

export interface ExperimentRun {
  result: ExperimentOutcome;
  itemErrors: ItemError[];
  metricErrors: string[];
  outcomes: ItemOutcome[];
  budgetLimited: boolean;
  warnings: string[];
  /** Each metric's noise on re-judged outputs, when judge-noise-sample asked for it. */
  judgeNoise?: Record<string, JudgeNoise>;
}

/** Span ids listed in the warning about truncated evaluation traces. */
const TRUNCATED_IDS_SHOWN = 20;

/** Texts kept per item for the report: enough to read, bounded in memory. */
export const OUTCOME_TEXT_LIMIT = 2000;

/** An earlier attempt's experiment items count as done only when every run carries every metric's score. */
function isComplete(runs: readonly ExperimentItemRecord[] | undefined, metricNames: readonly string[], repeats: number): runs is ExperimentItemRecord[] {
  return Boolean(runs && runs.length >= repeats && runs.every((item) => metricNames.every((name) => item.feedbackScores.some((s) => s.name === name))));
}

/** A metric's span shows its score and reason, or why it failed, as the SDK's tracked metric shows its result. */
function metricSpanOutput(result: MetricResult): { output: Record<string, unknown>; error?: string } {
  return result.ok
    ? { output: { name: result.name, value: result.value, ...(result.reason ? { reason: result.reason } : {}) } }
    : { output: { name: result.name, error: result.error }, error: result.error };
}

function spanIdOf(item: DatasetItemRecord): { spanId?: string } {
  return typeof item.data.span_id === "string" ? { spanId: item.data.span_id } : {};
}

/** Batches finished items into Opik writes, one batch at a time, remembering the first failure. */
class EvaluationWriter {
  private buffer: EvaluationRecord[] = [];
  private bufferedBytes = 0;
  private chain = Promise.resolve();
  failure: { error: unknown } | undefined;

  constructor(
    private readonly opik: OpikGateway,
    private readonly experiment: ExperimentRecord,
  ) {}

  /** `bytes`: the record's serialized payload, so a batch of large items is written before it crowds the heap. */
  add(record: EvaluationRecord, bytes: number): void {
    this.buffer.push(record);
    this.bufferedBytes += bytes;
    if (this.buffer.length >= EVALUATION_WRITE_BATCH.items || this.bufferedBytes >= EVALUATION_WRITE_BATCH.bytes) void this.flush().catch(() => undefined);
  }

  flush(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    this.bufferedBytes = 0;
    if (batch.length) {
      this.chain = this.chain.then(() => this.opik.writeEvaluations(this.experiment, batch));
      this.chain.catch((error: unknown) => (this.failure ??= { error }));
    }
    return this.chain;
  }
}

/**
 * Step 4: the experiment over the dataset. Each item runs the task and every
 * metric; finished items are written in batches (experiment item, trace,
 * scores) through calls that throw. Rerun on the same dataset, it evaluates
 * only what an interrupted run left incomplete, into the same experiment.
 */
export async function runExperiment(opik: OpikGateway, options: ExperimentOptions): Promise<ExperimentRun> {
  const metricNames = options.metrics.map((m) => m.name);
  const existing = options.resume ? await opik.findExperiment(options.name, options.dataset) : undefined;
  const experiment = existing ?? (await opik.createExperiment(options.name, options.dataset, options.metadata, options.experimentId, options.promptVersions));
  const repeats = Math.max(1, options.repeats ?? 1);
  const earlier = new Map<string, ExperimentItemRecord[]>();
  for (const item of existing ? await opik.listExperimentItems(experiment) : [])
    earlier.set(item.datasetItemId, [...(earlier.get(item.datasetItemId) ?? []), item]);

  const scores: FeedbackScore[] = [];
  const failures = new Map<string, number>();
  const metricErrors: string[] = [];
  const itemErrors: ItemError[] = [];
  const outcomes: ItemOutcome[] = [];
  const needsTraceSpans = options.metrics.some((m) => m.needsTraceSpans);
  const truncatedTraces: string[] = [];
  let truncatedSpans = 0;

  const todo: DatasetItemRecord[] = [];
  for (const item of options.items) {
    const before = earlier.get(item.id);
    if (!isComplete(before, metricNames, repeats)) {
      todo.push(item);
      continue;
    }
    for (const run of before) scores.push(...run.feedbackScores);
    const combined = combineRuns(before.map((run) => ({ scores: run.feedbackScores, failedMetrics: {} })));
    outcomes.push({
      datasetItemId: item.id,
      ...spanIdOf(item),
      traceId: before[0]?.traceId ?? "",
      input: extractText(item.data.input).slice(0, OUTCOME_TEXT_LIMIT),
      ...userPreview(item.data.input),
      output: "",
      scores: combined.scores,
      failedMetrics: {},
      ...(repeats > 1 ? { runs: combined.runs } : {}),
    });
  }
  const resumed = options.items.length - todo.length;
  if (resumed) options.log.info(`Experiment ${options.name}: ${resumed} item(s) already evaluated by an earlier run, ${todo.length} to go`);

  // The first outputs in dataset order, kept whole to be judged again for judge-noise-sample.
  const noiseSample = new Map<string, { input: MetricInput; first: Record<string, number> }>();
  const noiseIds = new Set(todo.slice(0, options.judgeNoise?.sample ?? 0).map((item) => item.id));

  const runItem = async (
    item: DatasetItemRecord,
    runIndex: number,
    before: ExperimentItemRecord | undefined,
  ): Promise<{ record: EvaluationRecord; run: RunScores; output: string; bytes: number }> => {
    const startTime = new Date();
    // Derived ids: if two runs ever evaluate the same item, the second write replaces the first.
    const ids = runEvaluationIds(experiment.id, item.id, runIndex);
    const record: EvaluationRecord = {
      datasetItemId: item.id,
      traceId: before?.traceId ?? ids.traceId,
      experimentItemId: before?.id ?? ids.experimentItemId,
      startTime,
      endTime: startTime,
      input: { ...item.data, id: item.id },
      output: {},
      scores: [],
    };
    const run: RunScores = { scores: [], failedMetrics: {} };
    let output = "";
    // The item's spans, as the SDK's evaluate() records them: the task and the metrics, with the model calls inside.
    const trace = new SpanTrace();
    try {
      const taskOutput = await trace.span(
        "llm_task",
        record.input as Record<string, unknown>,
        () => options.task(item),
        (result) => ({ output: { output: result.output } }),
      );
      // trial_id as the SDK's runTests numbers runs, so Opik's trace says which repeat it is.
      record.output = repeats > 1 ? { output: taskOutput.output, trial_id: runIndex } : { output: taskOutput.output };
      const traceId = item.data.trace_id;
      const traceSpans = needsTraceSpans && typeof traceId === "string" ? await opik.listTraceSpans(traceId) : undefined;
      const metricInput: MetricInput = {
        data: item.data,
        input: extractText(item.data.input),
        output: extractText(taskOutput.output),
        rawOutput: taskOutput.output,
        expected: extractText(item.data.expected_output),
        ...(traceSpans ? { traceSpans } : {}),
      };
      output = metricInput.output.slice(0, OUTCOME_TEXT_LIMIT);
      const calculation = trace.open("metrics_calculation");
      for (const metric of options.metrics) {
        const result = await calculation.child(metric.name, () => metric.score(metricInput), metricSpanOutput);
        if (result.ok) {
          record.scores.push({ name: result.name, value: result.value, ...(result.reason ? { reason: result.reason } : {}) });
        } else {
          failures.set(result.name, (failures.get(result.name) ?? 0) + 1);
          run.failedMetrics[result.name] = result.error;
          if (metricErrors.length < 20) metricErrors.push(`${result.name} failed on dataset item ${item.id}: ${result.error}`);
        }
      }
      calculation.end({ scores: record.scores.map((score) => ({ name: score.name, value: score.value })) });
      run.scores = record.scores;
      if (runIndex === 0 && noiseIds.has(item.id))
        noiseSample.set(item.id, { input: metricInput, first: Object.fromEntries(record.scores.map((score) => [score.name, score.value])) });
    } catch (error) {
      // One item's task failure never fails the others; Opik shows it on the item's trace (which needs a traceback).
      const message = errorMessage(error);
      record.error = { exceptionType: error instanceof Error ? error.name : "Error", message, traceback: (error instanceof Error && error.stack) || message };
      run.taskError = message;
    }
    record.endTime = new Date();
    // A trace too large for one request would fail the write of its whole batch, on every rerun.
    const fitted = fitJson({ input: record.input, output: record.output }, ITEM_BYTES);
    if (fitted.truncated) {
      record.input = fitted.value.input;
      record.output = fitted.value.output;
      truncatedTraces.push(typeof item.data.span_id === "string" ? `span ${item.data.span_id}` : `dataset item ${item.id}`);
    }
    const spans = evaluationSpans(trace, record.traceId);
    record.spans = spans.spans;
    truncatedSpans += spans.truncated;
    scores.push(...record.scores);
    return { record, run, output, bytes: fitted.bytes + spans.bytes };
  };

  const evaluateItem = async (item: DatasetItemRecord): Promise<{ record: EvaluationRecord; bytes: number }[]> => {
    const before = earlier.get(item.id);
    const done = [];
    for (let runIndex = 0; runIndex < repeats; runIndex++) done.push(await runItem(item, runIndex, repeats === 1 ? before?.[0] : undefined));
    const combined = combineRuns(done.map((d) => d.run));
    const outcome: ItemOutcome = {
      datasetItemId: item.id,
      ...spanIdOf(item),
      traceId: done[0]?.record.traceId ?? "",
      input: extractText(item.data.input).slice(0, OUTCOME_TEXT_LIMIT),
      ...userPreview(item.data.input),
      output: done.find((d) => d.output)?.output ?? "",
      scores: combined.scores,
      failedMetrics: combined.failedMetrics,
      ...(combined.taskError !== undefined ? { taskError: combined.taskError } : {}),
      ...(repeats > 1 ? { runs: combined.runs } : {}),
    };
    if (combined.taskError !== undefined) itemErrors.push({ datasetItemId: item.id, ...spanIdOf(item), message: combined.taskError });
    outcomes.push(outcome);
    // The payload now lives in the records until they are written; dropping the item's copy keeps memory flat on large datasets.
    item.data = {};
    return done.map(({ record, bytes }) => ({ record, bytes }));
  };

  const writer = new EvaluationWriter(opik, experiment);
  const attempted = new Set<string>();
  const running = new Set<Promise<void>>();
  let budgetLimited = false;
  let done = 0;
  for (const item of todo) {
    await options.limiter.acquire();
    // Stop spending on the task and judges once Opik stopped taking the results, or the budget is spent.
    if (writer.failure) {
      options.limiter.release();
      break;
    }
    if (options.budget && options.budget.meter.spentUsd >= options.budget.maxCostUsd) {
      options.limiter.release();
      budgetLimited = true;
      break;
    }
    attempted.add(item.id);
    const run: Promise<void> = evaluateItem(item).then((records) => {
      for (const { record, bytes } of records) writer.add(record, bytes);
      options.limiter.succeeded();
      done += 1;
      options.log.progress(done, todo.length, `items evaluated (concurrency ${options.limiter.limit})`);
    });
    running.add(run);
    void run.finally(() => {
      options.limiter.release();
      running.delete(run);
    });
  }
  await Promise.all(running);
  await writer.flush();
  if (writer.failure) throw writer.failure.error;

  const notStarted = todo.length - attempted.size;
  if (budgetLimited) options.log.warning(`max-cost-usd reached: ${notStarted} item(s) left for the next run`);
  const written = new Set((await opik.listExperimentItems(experiment)).map((item) => item.datasetItemId));
  const pending = new Set(todo.map((item) => item.id));
  const missing = options.items.filter((item) => (attempted.has(item.id) || !pending.has(item.id)) && !written.has(item.id));
  if (missing.length) throw new Error(`Opik experiment "${options.name}" is missing ${missing.length} of ${options.items.length} items after writing them`);

  const judgeNoise =
    options.judgeNoise && noiseSample.size ? await measureMetricNoise(options.metrics, [...noiseSample.values()], options.judgeNoise.judgments) : undefined;

  const warnings: string[] = [];
  if (truncatedTraces.length) {
    const more = truncatedTraces.length > TRUNCATED_IDS_SHOWN ? ` and ${truncatedTraces.length - TRUNCATED_IDS_SHOWN} more` : "";
    warnings.push(
      `${truncatedTraces.length} evaluation trace(s) exceeded the ${ITEM_BYTES.toLocaleString("en-US")} bytes one Opik request may carry and were stored truncated (${truncatedTraces.slice(0, TRUNCATED_IDS_SHOWN).join(", ")}${more})`,
    );
  }
  if (truncatedSpans)
    warnings.push(
      `${truncatedSpans} span(s) of evaluation traces carried more than ${EVALUATION_SPAN_BYTES.toLocaleString("en-US")} bytes of input and output and were stored truncated`,
    );
  const evaluated = options.items.length - notStarted - itemErrors.length;
  return {
    result: {
      status: evaluated > 0 || options.items.length === 0 ? "success" : "failed",
      name: experiment.name,
      id: experiment.id,
      url: opik.experimentUrl(experiment, options.dataset),
      itemsTotal: options.items.length,
      itemsResumed: resumed,
      itemsNotStarted: notStarted,
      taskErrors: itemErrors.length,
      evalResults: summarizeScores(metricNames, scores, failures, options.directions),
    },
    itemErrors,
    metricErrors,
    outcomes,
    budgetLimited,
    warnings,
    ...(judgeNoise ? { judgeNoise } : {}),
  };
}

/**
 * judge-noise-sample: each sampled output judged `judgments` times by every
 * metric, the run's own judgment counting as the first, so only
 * `judgments − 1` calls are added per output; a metric that never scored an
 * output twice has no measurement. The calls go through the same metered
 * judge as the run's, so their cost is counted and budgeted.
 */
async function measureMetricNoise(
  metrics: readonly Metric[],
  sample: readonly { input: MetricInput; first: Record<string, number> }[],
  judgments: number,
): Promise<Record<string, JudgeNoise>> {
  const noise: Record<string, JudgeNoise> = {};
  for (const metric of metrics) {
    const groups = await Promise.all(
      sample.map(async ({ input, first }) => {
        const values = first[metric.name] === undefined ? [] : [first[metric.name] ?? 0];
        for (let j = 1; j < judgments; j++) {
          const result = await metric.score(input);
          if (result.ok) values.push(result.value);
        }
        return values;
      }),
    );
    const measured = measureJudgeNoise(groups);
    if (measured) noise[metric.name] = measured;
  }
  return noise;
}
