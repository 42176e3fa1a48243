import type { EvaluationRecord, OpikGateway } from "../opik/opik-gateway.js";
import { SUITE_TASK_ERROR_SCORE } from "../opik/suite-judge.js";
import { derivedUuidV7, uuidV7Millis } from "../pipeline/derived-id.js";
import { evaluationSpans } from "../pipeline/evaluation-spans.js";
import type { SuiteItemOutcome, SuiteOutcome } from "../run-result.js";
import type { ChatModel } from "../types.js";
import type { AdaptiveLimiter } from "../util/adaptive-limiter.js";
import { resolveSuiteItems } from "./resolve-suite.js";
import { runSuiteItems, suiteItemInput, type SuiteTask, type TimedSuiteRun } from "./run-suite-items.js";
import { itemVerdict, suitePassRate } from "./suite-results.js";

export interface SuiteRunOptions {
  suiteName: string;
  minPassRate: number;
  experimentPrefix: string;
  task: SuiteTask;
  judge: ChatModel;
  limiter: AdaptiveLimiter;
  /** The run's config and context, recorded on the experiment (branch and event let a later run find its baseline). */
  metadata: Record<string, unknown>;
  /** The prompt version the task ran with, linked as the SDK links an experiment's prompts. */
  prompt?: { name: string; template: string; versionId: string };
  runContext?: Record<string, unknown>;
  runId: string;
  now: Date;
  progress: (done: number, total: number) => void;
}

export type SuiteRun = { outcome: SuiteOutcome; warnings: string[]; taskErrors: string[] } | { problem: string };

/**
 * The experiment of one commit's run of one suite version: a rerun of the same commit (or an overlapping run of it)
 * finds the same id and name, so it upserts instead of adding an experiment; a run outside a commit is its own.
 */
function suiteExperimentIdentity(options: SuiteRunOptions, suiteId: string, versionId: string | undefined): { id: string; name: string } {
  const sha = options.runContext?.git_sha;
  const pr = options.runContext?.pr_number;
  const label = typeof pr === "number" ? `pr${pr}` : "evaluate";
  const anchor = (versionId ? uuidV7Millis(versionId) : undefined) ?? uuidV7Millis(suiteId) ?? options.now.getTime();
  if (typeof sha === "string" && sha) {
    return {
      id: derivedUuidV7(anchor, `suite-experiment:${suiteId}:${versionId ?? "-"}:${sha}:${label}`),
      name: `${options.experimentPrefix}-suite-${sha.slice(0, 8)}-${label}`,
    };
  }
  const stamp = options.now.toISOString().replace(/[-:]/g, "").slice(0, 15);
  return {
    id: derivedUuidV7(options.now.getTime(), `suite-experiment:${suiteId}:${options.runId}`),
    name: `${options.experimentPrefix}-suite-${stamp}-${label}`,
  };
}

function evaluationRecord(run: TimedSuiteRun, item: { id: string; data: Record<string, unknown> }, experimentId: string): EvaluationRecord {
  const millis = uuidV7Millis(experimentId) ?? 0;
  const key = `${experimentId}:${item.id}:${run.runIndex}`;
  const traceId = derivedUuidV7(millis, `suite-trace:${key}`);
  return {
    datasetItemId: item.id,
    traceId,
    spans: evaluationSpans(run.trace, traceId).spans,
    experimentItemId: derivedUuidV7(millis, `suite-experiment-item:${key}`),
    startTime: run.startTime,
    endTime: run.endTime,
    // As the SDK's evaluation_task trace: the item's content in, the task's { input, output } out.
    input: { id: item.id, ...item.data },
    output: { input: item.data.input ?? null, output: run.rawOutput ?? null },
    ...(run.taskError ? { error: { exceptionType: "Error", message: run.taskError, traceback: "" } } : {}),
    scores: run.taskError ? [{ name: SUITE_TASK_ERROR_SCORE, value: 0, reason: run.taskError }] : [],
    assertions: run.assertions.map((a) => ({ name: a.assertion, passed: a.passed, ...(a.reason ? { reason: a.reason } : {}) })),
  };
}

/** Reads the suite, runs and judges every item, and writes the experiment Opik shows as a run of the suite. */
export async function runSuite(opik: OpikGateway, options: SuiteRunOptions): Promise<SuiteRun> {
  const suite = await opik.readTestSuite(options.suiteName);
  if (!suite)
    return { problem: `test-suite: no test suite "${options.suiteName}" in project ${opik.projectName} (create it in Opik or with the SDK's createTestSuite)` };
  if (suite.type !== "evaluation_suite")
    return { problem: `test-suite: "${options.suiteName}" is a dataset of type ${suite.type}, not a test suite (evaluation_suite)` };
  const { items, warnings } = resolveSuiteItems(suite);
  const identity = suiteExperimentIdentity(options, suite.dataset.id, suite.version?.id);
  const metadata = {
    ...options.metadata,
    test_suite: suite.dataset.name,
    ...(suite.version?.name ? { suite_version: suite.version.name } : {}),
    ...(options.prompt ? { prompts: { [options.prompt.name]: options.prompt.template } } : {}),
  };
  const experiment = await opik.createSuiteExperiment(identity.name, suite.dataset, metadata, {
    id: identity.id,
    ...(suite.version ? { datasetVersionId: suite.version.id } : {}),
    ...(options.prompt ? { promptVersions: [options.prompt.versionId] } : {}),
  });
  const runs = await runSuiteItems(items, { task: options.task, judge: options.judge, limiter: options.limiter, progress: options.progress });
  await opik.writeEvaluations(
    experiment,
    runs.map((run) => evaluationRecord(run, items.find((item) => item.id === run.itemId) ?? { id: run.itemId, data: {} }, experiment.id)),
  );
  const outcomes = items.map((item): SuiteItemOutcome => {
    const itemRuns = runs
      .filter((run) => run.itemId === item.id)
      .map(({ runIndex, passed, output, taskError, assertions }) => ({
        runIndex,
        passed,
        output,
        ...(taskError !== undefined ? { taskError } : {}),
        assertions,
      }));
    const hasAssertions = item.assertions.length > 0 || itemRuns.some((run) => run.taskError !== undefined);
    return {
      datasetItemId: item.id,
      input: suiteItemInput(item.data),
      ...(item.description ? { description: item.description } : {}),
      ...itemVerdict(itemRuns, item.policy, hasAssertions),
      runsPerItem: item.policy.runsPerItem,
      passThreshold: item.policy.passThreshold,
      runs: itemRuns,
    };
  });
  return {
    outcome: {
      name: suite.dataset.name,
      datasetId: suite.dataset.id,
      ...(suite.version ? { versionId: suite.version.id } : {}),
      ...(suite.version?.name ? { versionName: suite.version.name } : {}),
      experimentId: experiment.id,
      experimentName: experiment.name,
      url: opik.experimentUrl(experiment, suite.dataset),
      itemsTotal: outcomes.length,
      ...suitePassRate(outcomes),
      minPassRate: options.minPassRate,
      items: outcomes,
    },
    warnings,
    taskErrors: runs.filter((run) => run.taskError).map((run) => `test suite item ${run.itemId} run ${run.runIndex + 1}: ${run.taskError}`),
  };
}
