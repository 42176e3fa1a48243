import { TASK_ID } from "../constants.js";
import type { ActionConfig } from "../config/parse-config.js";
import { promptLibraryTemplate, type PromptTemplate } from "../config/parse-prompt.js";
import { errorMessage } from "../errors.js";
import type { PipelineRun, PromptVersionOutcome, RunResult } from "../run-result.js";
// What runPipeline returns, importable next to it by the runners that call it.
import type { JudgeMetricFactory, OpikGateway } from "../opik/opik-gateway.js";
import type { ChatModel, DatasetItemRecord, DatasetRecord, ItemOutcome } from "../types.js";
import { findEvaluationDataset } from "./find-evaluation-dataset.js";
import { describeMetric } from "../metrics/metric-catalog.js";
import { buildMetrics } from "./build-metrics.js";
import { cleanErrorTraces, plannedCleanup } from "./clean-error-traces.js";
import { createEvaluationTask } from "./evaluation-task.js";
import type { Logger } from "./logger.js";
import { runExperiment } from "./run-experiment.js";
import { runStamp } from "./time-window.js";
import { DATASET_LEASE, DATASET_TAG, PENDING_TAG } from "../constants.js";
import { harvestExperimentId, shardedExperimentId } from "./derived-id.js";
import { keepRenewing } from "./harvest-lock.js";
import { releaseDatasetLeases, renewDatasetLease } from "./dataset-lease.js";
import type { Lease, RunIdentity } from "./lease.js";
import type { AdaptiveLimiter } from "../util/adaptive-limiter.js";
import { emptyUsage, UsageMeter } from "./usage-meter.js";
import { recordModelCalls } from "./span-recorder.js";
import type { DatasetResult } from "./create-dataset.js";
import { harvestDataset } from "./harvest-dataset.js";
import { promoteFailures } from "./promote-failures.js";
import type { CompletionCache } from "../cache/completion-cache.js";
import { joinShardedExperiment, shardedExperimentName } from "./join-sharded-experiment.js";
import { readShardedRun } from "./read-sharded-run.js";
import { shardItems } from "./shard-items.js";
import { knownHealth, recordRunHealth } from "./run-health.js";
import { evaluateSuite } from "../suite/evaluate-suite.js";

export interface PipelineDeps {
  opik: OpikGateway;
  judgeMetrics: JudgeMetricFactory;
  taskModel?: ChatModel;
  /** The feature's task.prompt_file, parsed: what the task model is sent instead of the recorded messages. */
  taskPrompt?: PromptTemplate;
  judgeModel?: ChatModel;
  /** Shared with the providers, which report pushback to it. */
  limiter: AdaptiveLimiter;
  log: Logger;
  now: Date;
  /** Recorded in the experiment's config in Opik (commit, workflow run, ...). */
  runContext?: Record<string, unknown>;
  /** Names this run in the leases that keep overlapping runs off each other's work. */
  run: RunIdentity;
  /** Completions of earlier runs, reused when the model, its settings and the messages are unchanged. */
  cache?: CompletionCache;
}

/** Steps 0 to 4 of the original job (docs/architecture.md). Never throws: a failure is a result with status "failed". */
export async function runPipeline(config: ActionConfig, deps: PipelineDeps): Promise<PipelineRun> {
  const { opik, log } = deps;
  const result: RunResult = {
    status: "failed",
    taskId: TASK_ID,
    dateString: config.dateString,
    experimentType: config.experimentType,
    maxItems: config.maxItems,
    lookbackHours: config.lookbackHours,
    metrics: config.metrics,
    taskProvider: config.taskProvider,
    cleanupErrors: config.cleanupErrors,
    cleanupResult: null,
    spansFound: 0,
    spansNew: 0,
    datasetName: null,
    experiment: null,
    errors: [],
    warnings: [],
    project: config.opik.project,
    window: { start: config.window.start.toISOString(), end: config.window.end.toISOString() },
    spansDeferred: 0,
    spansSampledOut: 0,
    resumed: false,
    usage: { task: emptyUsage(), judge: emptyUsage(), costUsd: 0 },
    budgetLimited: false,
    mode: config.run.mode,
    ...(config.run.shard ? { shard: `${config.run.shard.index}/${config.run.shard.count}` } : {}),
    cleanup: plannedCleanup(config.run.mode, config.cleanupErrors),
    spansCounted: false,
    runId: deps.run.id,
    overlap: { waitedSeconds: 0, busy: false, datasetsLeasedByOthers: [] },
  };
  const items: ItemOutcome[] = [];
  const meter = new UsageMeter();
  // This run's lease on the dataset it harvested or took over.
  let lease: Lease | undefined;
  const cache = deps.cache;
  // A task sampled above temperature 0 is meant to vary, so its earlier answers are no stand-in unless forced.
  const taskCached = Boolean(cache && config.task && (config.cache === "force" || config.task.temperature === 0));
  // Outside the meter: an answer from the cache is not spent again, nor counted against max-cost-usd.
  const metered = (model: ChatModel, role: "task" | "judge", settings: { temperature: number } | undefined): ChatModel => {
    const counted = meter.meter(model, role);
    // Outermost, so a cache hit is recorded too, as a span marked cached, under the item's trace.
    return recordModelCalls(cache && settings && (role === "judge" || taskCached) ? cache.wrap(counted, role, settings) : counted);
  };
  const reportUsage = (): void => {
    const { task, judge } = meter.totals;
    result.usage = { task, judge, costUsd: task.costUsd === null || judge.costUsd === null ? null : round(task.costUsd + judge.costUsd) };
    if (cache) {
      const tally = (role: "task" | "judge") => {
        const { hits, misses, savedUsd } = cache.tally[role];
        return { hits, misses, savedUsd: savedUsd === null ? null : round(savedUsd) };
      };
      result.cache = { mode: config.cache, taskCached, task: tally("task"), judge: tally("judge") };
    }
  };
  try {
    if (config.run.mode === "report") return await reportShards(config, deps, result);
    const judge = deps.judgeModel ? metered(deps.judgeModel, "judge", config.judge) : undefined;
    const metrics = buildMetrics(config.metrics, {
      judgeMetrics: deps.judgeMetrics,
      judge,
      outputFormat: config.feature.outputFormat,
      metricSettings: config.feature.metricSettings,
      judges: config.feature.judges,
    });

    if (config.feature.promptFile && !deps.taskModel) {
      result.warnings.push(`${config.feature.promptFile.setting} is not used: task-provider replay scores the recorded outputs and sends no prompt`);
    }

    if (config.cleanupErrors && config.run.mode === "harvest") {
      log.info(`Step 0: deleting error traces of project ${config.opik.project} started since ${result.window.start}`);
      try {
        result.cleanupResult = await cleanErrorTraces(opik, config.window);
      } catch (error) {
        result.cleanup = { state: "failed", reason: errorMessage(error) };
        throw error;
      }
      result.cleanup = { state: "done" };
      log.info(`Deleted ${result.cleanupResult.deleted} of ${result.cleanupResult.totalTraces} traces`);
    }

    const harvest = async (): Promise<DatasetResult | undefined> => {
      const harvested = await harvestDataset(opik, config, deps.now, deps.run, log);
      result.overlap = {
        waitedSeconds: Math.round(harvested.overlap.waitedMs / 100) / 10,
        busy: harvested.kind === "busy",
        datasetsLeasedByOthers: harvested.overlap.leasedByOthers.map(({ dataset, lease }) => ({
          datasetName: dataset,
          runId: lease.runId,
          leaseUntil: lease.expiresAt.toISOString(),
        })),
      };
      result.spansFound = harvested.counts.found;
      result.spansCounted = true;
      result.spansDeferred = harvested.counts.deferred;
      result.spansSampledOut = harvested.counts.sampledOut;
      result.warnings.push(...harvested.warnings);
      if (harvested.kind === "unknown-project") {
        result.errors.push(
          `opik-project: project "${config.opik.project}" does not exist in workspace ${config.opik.workspace} (expected the name of the project your application logs traces to)`,
        );
        return undefined;
      }
      // Another run at work on the same spans is never this run's failure.
      const othersAtWork = harvested.kind === "busy" || harvested.overlap.waitedMs > 0 || harvested.overlap.leasedByOthers.length > 0;
      if (harvested.kind === "busy" || harvested.kind === "nothing-new") {
        result.status = config.skipIfEmpty || othersAtWork ? "skipped" : "failed";
        if (result.status === "failed") result.errors.push("No new spans to evaluate and skip-if-empty is false");
        return undefined;
      }
      lease = harvested.lease;
      result.resumed = harvested.resumed;
      result.datasetName = harvested.dataset.dataset.name;
      result.spansNew = harvested.spansNew;
      return harvested.dataset;
    };
    const label = evaluateLabel(deps.runContext);
    // Every shard of one evaluation, and its report job, derive the same experiment name.
    const shardedName =
      config.run.shard && config.run.shardRun ? shardedExperimentName(config.feature.experimentPrefix, config.run.shardRun, label) : undefined;
    // A pull request evaluates an existing dataset and must never change production data.
    const evaluateExisting = async (): Promise<{ dataset: DatasetRecord; items: DatasetItemRecord[] } | undefined> => {
      const found = await findEvaluationDataset(opik, config.run.dataset, config.feature.datasetPrefix);
      if (typeof found === "string") {
        result.errors.push(found);
        return undefined;
      }
      if (!shardedName) {
        result.datasetName = found.name;
        return { dataset: found, items: await opik.listDatasetItems(found) };
      }
      const joined = await joinShardedExperiment(opik, shardedName, found);
      if ("problem" in joined) {
        result.errors.push(joined.problem);
        return undefined;
      }
      if (joined.dataset.name !== found.name) log.info(`Shard joins experiment ${shardedName}, which runs on dataset ${joined.dataset.name}`);
      result.datasetName = joined.dataset.name;
      const shard = config.run.shard;
      const all = await opik.listDatasetItems(joined.dataset);
      return { dataset: joined.dataset, items: shard ? shardItems(all, shard) : all };
    };

    // A test suite takes the place of the dataset on evaluate runs; the schedule keeps harvesting.
    if (config.suite && config.run.mode === "evaluate") {
      const promptVersion =
        config.task && config.feature.promptFile && deps.taskPrompt ? await recordTaskPrompt(opik, config.feature.promptFile, deps) : undefined;
      if (promptVersion) result.promptVersion = promptVersion;
      // The same wrapped models as a dataset run: metered, and cached when the cache is on.
      await evaluateSuite(config, config.suite, result, {
        ...deps,
        ...(deps.taskModel ? { taskModel: metered(deps.taskModel, "task", config.task) } : {}),
        ...(judge ? { judgeModel: judge } : {}),
        runId: deps.run.id,
        ...(typeof deps.runContext?.base_branch === "string" ? { baseBranch: deps.runContext.base_branch } : {}),
        ...(promptVersion ? { promptVersion } : {}),
      });
      reportUsage();
      return { result, items };
    }
    if (config.suite?.from === "input") result.warnings.push(`test suite ${config.suite.name} gates evaluate runs only; this harvest run did not run it`);

    const datasetResult = config.run.mode === "evaluate" ? await evaluateExisting() : await harvest();
    if (!datasetResult) return { result, items };

    // In harvest mode the experiment shares its dataset's stamp, so a resumed run finds it again by name.
    // Evaluate-mode experiments are labelled (e.g. -pr42), so Opik's list tells them from the scheduled ones.
    const experimentName =
      config.run.mode === "harvest"
        ? `${config.feature.experimentPrefix}-eval-${datasetResult.dataset.name.slice(config.feature.datasetPrefix.length + 1)}`
        : (shardedName ?? `${config.feature.experimentPrefix}-eval-${runStamp(deps.now)}-${label}`);
    const experimentConfig: Record<string, unknown> = {
      experiment_type: config.experimentType,
      task_provider: config.taskProvider,
      ...(config.task ? { model: config.task.model, temperature: config.task.temperature } : {}),
      ...(config.task && config.feature.promptFile ? { prompt_file: config.feature.promptFile.path } : {}),
      ...(config.judge ? { judge_provider: config.judge.provider, judge_model: config.judge.model } : {}),
      metrics: config.metrics,
      ...(config.feature.outputFormat ? { output_format: config.feature.outputFormat } : {}),
      ...(config.feature.metricSettings ? { metric_settings: config.feature.metricSettings } : {}),
      ...(config.feature.judges ? { custom_judges: config.feature.judges } : {}),
      ...deps.runContext,
      mode: config.run.mode,
      ...(config.run.shard ? { shards: config.run.shard.count, shard_run: config.run.shardRun } : {}),
      // A scheduled run's health, for later runs' trends: what is known now, completed once the experiment is done.
      ...(config.run.mode === "harvest" ? knownHealth(result) : {}),
      ...(config.repeats > 1 ? { repeats: config.repeats } : {}),
    };
    const promptVersion =
      config.task && config.feature.promptFile && deps.taskPrompt ? await recordTaskPrompt(opik, config.feature.promptFile, deps) : undefined;
    if (promptVersion) {
      result.promptVersion = promptVersion;
      experimentConfig.prompt_version = promptVersion.commit;
      log.info(`Prompt ${promptVersion.name}: version ${promptVersion.commit} (${promptVersion.reused ? "unchanged" : "new"})`);
    }
    log.info(`Step 4: experiment ${experimentName} over ${datasetResult.items.length} item(s) with ${config.metrics.join(", ")}`);
    const harvested = lease ? { dataset: datasetResult.dataset, lease } : undefined;
    const stopRenewing = harvested
      ? keepRenewing(
          () => renewDatasetLease(opik, harvested.dataset, deps.run, harvested.lease),
          DATASET_LEASE.renewEveryMs,
          log,
          `dataset ${harvested.dataset.name}`,
        )
      : () => undefined;
    const experiment = await runExperiment(opik, {
      name: experimentName,
      dataset: datasetResult.dataset,
      items: datasetResult.items,
      metrics,
      task: createEvaluationTask(deps.taskModel ? metered(deps.taskModel, "task", config.task) : undefined, deps.taskPrompt),
      limiter: deps.limiter,
      ...(config.maxCostUsd !== undefined ? { budget: { maxCostUsd: config.maxCostUsd, meter } } : {}),
      metadata: experimentConfig,
      // A rerun shard, like a resumed harvest, continues its experiment and keeps what is already scored.
      resume: config.run.mode === "harvest" || shardedName !== undefined,
      // One experiment per harvested dataset, or per sharded evaluation, whichever run creates it.
      ...(config.run.mode === "harvest" ? { experimentId: harvestExperimentId(datasetResult.dataset) } : {}),
      ...(shardedName ? { experimentId: shardedExperimentId(datasetResult.dataset, shardedName) } : {}),
      ...(promptVersion ? { promptVersions: [promptVersion.versionId] } : {}),
      repeats: config.repeats,
      ...(config.judgeNoise ? { judgeNoise: config.judgeNoise } : {}),
      directions: metricDirections(config),
      log,
    }).finally(stopRenewing);
    result.experiment = experiment.result;
    items.push(...experiment.outcomes);
    result.errors.push(...experiment.itemErrors.map((e) => `span ${e.spanId ?? "?"} (dataset item ${e.datasetItemId}): ${e.message}`));
    result.warnings.push(...experiment.metricErrors, ...experiment.warnings);

    if (experiment.budgetLimited) {
      result.budgetLimited = true;
      result.warnings.push(
        `max-cost-usd (${config.maxCostUsd}) reached: ${experiment.result.itemsNotStarted} item(s) of ${datasetResult.dataset.name} left ${config.run.mode === "harvest" ? "for the next run" : "unevaluated"}`,
      );
    }
    // A harvested dataset stays pending until its experiment is complete; the next run evaluates what this one could not afford.
    if (harvested) await opik.setDatasetTags(harvested.dataset, experiment.budgetLimited ? [DATASET_TAG, PENDING_TAG] : [DATASET_TAG]);
    if (config.run.mode === "harvest" && config.feature.promote) {
      const promote = config.feature.promote;
      try {
        const promoted = await promoteFailures(opik, promote, experiment.outcomes, { experimentType: config.experimentType, experimentName }, log);
        result.promoted = promoted.outcome;
        result.warnings.push(...promoted.warnings);
      } catch (error) {
        // The evaluation succeeded and is recorded; a suite that could not be written costs the regression cases of
        // this run, not its scores, so it is a warning and a line in the summary rather than a failed run.
        const message = `Promotion to test suite ${promote.suiteName} failed: ${errorMessage(error)}`;
        result.promoted = { suiteName: promote.suiteName, created: false, items: [], alreadyInSuite: 0, overCap: 0, failed: errorMessage(error) };
        result.warnings.push(message);
      }
    }
    result.status = experiment.result.status;
    reportUsage();
    if (config.run.mode === "harvest") {
      try {
        await recordRunHealth(opik, { id: experiment.result.id, name: experiment.result.name }, result);
      } catch (error) {
        // The evaluation stands; only later runs' health charts lose this run's point.
        result.warnings.push(`The run's health could not be recorded on its experiment: ${errorMessage(error)}`);
      }
    }
    return { result, items, dataset: datasetResult.dataset, experimentConfig, ...(experiment.judgeNoise ? { judgeNoise: experiment.judgeNoise } : {}) };
  } catch (error) {
    result.status = "failed";
    result.errors.push(errorMessage(error));
    reportUsage();
    return { result, items };
  } finally {
    // A failed run hands its dataset on at once instead of making the next run wait out the lease.
    if (result.status === "failed" && config.run.mode === "harvest") await releaseDatasetLeases(opik, config.feature.datasetPrefix, deps.run, log);
  }
}

/** The prompt file's version in Opik's prompt library, with the commit it was read at. */
async function recordTaskPrompt(
  opik: OpikGateway,
  promptFile: { path: string; promptName: string },
  deps: PipelineDeps,
): Promise<PromptVersionOutcome | undefined> {
  if (!deps.taskPrompt) return undefined;
  const sha = deps.runContext?.git_sha;
  const metadata = { prompt_file: promptFile.path, ...(typeof sha === "string" ? { git_sha: sha } : {}) };
  const version = await opik.recordPromptVersion(promptFile.promptName, promptLibraryTemplate(deps.taskPrompt), metadata);
  return { name: version.promptName, commit: version.commit, versionId: version.versionId, reused: version.reused, url: version.url };
}

function metricDirections(config: ActionConfig): Record<string, "higher-is-better" | "lower-is-better"> {
  return Object.fromEntries(config.metrics.map((name) => [name, describeMetric(name, config.feature.judges)?.direction ?? "higher-is-better"]));
}

/** How an evaluate run's experiment is labelled, so Opik's list tells it from the scheduled ones. */
function evaluateLabel(runContext: Record<string, unknown> | undefined): string {
  const prNumber = runContext?.pr_number;
  return typeof prNumber === "number" ? `pr${prNumber}` : "evaluate";
}

/** Report mode: the shards' experiment, pooled. A slice that never arrived fails the run; the report still goes out. */
async function reportShards(config: ActionConfig, deps: PipelineDeps, result: RunResult): Promise<PipelineRun> {
  const shardRun = config.run.shardRun ?? "";
  const experimentName = shardedExperimentName(config.feature.experimentPrefix, shardRun, evaluateLabel(deps.runContext));
  deps.log.info(`Report: reading experiment ${experimentName}, written by the shards of shard-run ${shardRun}`);
  const pooled = await readShardedRun(deps.opik, { experimentName, metrics: config.metrics, directions: metricDirections(config) });
  if ("problem" in pooled) {
    result.errors.push(pooled.problem);
    return { result, items: [] };
  }
  result.datasetName = pooled.dataset.name;
  result.experiment = pooled.experiment;
  result.errors.push(...pooled.problems);
  result.status = pooled.problems.length ? "failed" : pooled.experiment.status;
  return { result, items: pooled.outcomes, dataset: pooled.dataset, experimentConfig: pooled.experimentConfig };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
