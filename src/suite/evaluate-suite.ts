import type { ActionConfig } from "../config/parse-config.js";
import type { SuiteSettings } from "../config/parse-suite.js";
import { promptLibraryTemplate, type PromptTemplate } from "../config/parse-prompt.js";
import { errorMessage } from "../errors.js";
import type { OpikGateway } from "../opik/opik-gateway.js";
import { createEvaluationTask } from "../pipeline/evaluation-task.js";
import { loadBaseline } from "../pipeline/load-baseline.js";
import type { Logger } from "../pipeline/logger.js";
import type { PromptVersionOutcome, RunResult } from "../run-result.js";
import type { ChatModel } from "../types.js";
import type { AdaptiveLimiter } from "../util/adaptive-limiter.js";
import { runSuite } from "./run-suite.js";
import type { SuiteTask } from "./run-suite-items.js";
import { baselineItemResults, suitePassRate } from "./suite-results.js";

export interface SuiteStageDeps {
  opik: OpikGateway;
  /** The task and judge models as the pipeline wraps them: metered, and behind the completion cache. */
  taskModel?: ChatModel;
  taskPrompt?: PromptTemplate;
  judgeModel?: ChatModel;
  limiter: AdaptiveLimiter;
  log: Logger;
  now: Date;
  runContext?: Record<string, unknown>;
  runId: string;
  baseBranch?: string;
  promptVersion?: PromptVersionOutcome;
}

/**
 * Replay has no model to call: it replays what the suite item recorded, `expected_output` (as replay does for
 * harvested items) or else `output`; an item with neither gives an empty output for the judge.
 */
function suiteTask(deps: SuiteStageDeps): SuiteTask {
  if (!deps.taskModel) return (item) => Promise.resolve({ output: item.data.expected_output ?? item.data.output ?? null });
  const task = createEvaluationTask(deps.taskModel, deps.taskPrompt);
  return (item) => task({ id: item.id, data: item.data });
}

/**
 * An evaluate run on an Opik test suite instead of a harvested dataset: the suite's items through the task,
 * every assertion through the judge, the experiment written as a run of the suite, then the suite's baseline
 * run read back item by item. Fills `result`; throws only what the pipeline reports as the run's failure.
 */
export async function evaluateSuite(config: ActionConfig, suite: SuiteSettings, result: RunResult, deps: SuiteStageDeps): Promise<void> {
  if (!deps.judgeModel) throw new Error(`test suite ${suite.name}: no judge provider to judge its assertions`);
  // The suite's assertions are its metrics; the feature's dataset metrics are not run on it.
  result.metrics = [];
  const metadata: Record<string, unknown> = {
    experiment_type: config.experimentType,
    task_provider: config.taskProvider,
    ...(config.task ? { model: config.task.model, temperature: config.task.temperature } : {}),
    ...(config.task && config.feature.promptFile ? { prompt_file: config.feature.promptFile.path } : {}),
    judge_provider: config.judge?.provider,
    judge_model: config.judge?.model,
    min_pass_rate: suite.minPassRate,
    ...deps.runContext,
    ...(deps.promptVersion ? { prompt_version: deps.promptVersion.commit } : {}),
    mode: config.run.mode,
  };
  deps.log.info(`Test suite ${suite.name}: running its items through the ${config.taskProvider} task and judging every assertion`);
  const run = await runSuite(deps.opik, {
    suiteName: suite.name,
    minPassRate: suite.minPassRate,
    experimentPrefix: config.feature.experimentPrefix,
    task: suiteTask(deps),
    judge: deps.judgeModel,
    limiter: deps.limiter,
    metadata,
    ...(deps.promptVersion && deps.taskPrompt
      ? { prompt: { name: deps.promptVersion.name, template: promptLibraryTemplate(deps.taskPrompt), versionId: deps.promptVersion.versionId } }
      : {}),
    ...(deps.runContext ? { runContext: deps.runContext } : {}),
    runId: deps.runId,
    now: deps.now,
    progress: (done, total) => deps.log.progress(done, total, "suite runs judged"),
  });
  if ("problem" in run) {
    result.status = "failed";
    result.errors.push(run.problem);
    return;
  }
  result.warnings.push(...run.warnings);
  result.errors.push(...run.taskErrors);
  const outcome = run.outcome;
  result.datasetName = outcome.name;
  try {
    const baseline = await loadBaseline(deps.opik, {
      dataset: { id: outcome.datasetId, name: outcome.name, tags: [] },
      currentExperimentId: outcome.experimentId,
      mode: config.run.gate.baseline,
      ...(deps.baseBranch ? { baseBranch: deps.baseBranch } : {}),
    });
    if ("items" in baseline) {
      const policies = new Map(
        outcome.items.map((item) => [
          item.datasetItemId,
          { policy: { runsPerItem: item.runsPerItem, passThreshold: item.passThreshold }, hasAssertions: item.hasAssertions },
        ]),
      );
      const passed = baselineItemResults(baseline.items, policies);
      for (const item of outcome.items) {
        const before = passed.get(item.datasetItemId);
        if (before !== undefined) item.baselinePassed = before;
      }
      const judged = outcome.items
        .filter((item) => passed.has(item.datasetItemId))
        .map((item) => ({ hasAssertions: true, passed: passed.get(item.datasetItemId) ?? false }));
      outcome.baseline = { experimentName: baseline.experimentName, passRate: suitePassRate(judged).passRate };
    } else if (baseline.problem) {
      result.warnings.push(`test suite ${suite.name}: ${baseline.missing}`);
    }
  } catch (error) {
    result.warnings.push(`test suite ${suite.name}: the baseline run could not be read from Opik: ${errorMessage(error)}`);
  }
  result.testSuite = outcome;
  result.status = "success";
  deps.log.info(
    `Test suite ${suite.name}: ${outcome.itemsPassed} of ${outcome.itemsPassed + outcome.itemsFailed} item(s) with assertions passed (experiment ${outcome.experimentName})`,
  );
}
