import path from "node:path";
import { parseConfig, type ActionConfig, type FileFacts, type ProviderSettings, type RegistrySource } from "../config/parse-config.js";
import type { RawInputs } from "../config/raw-inputs.js";
import type { PromptTemplate } from "../config/parse-prompt.js";
import { ConfigError, errorMessage } from "../errors.js";
import { computeVerdict, withSuiteVerdict, type GateSettings, type GateVerdict } from "../gate/index.js";
import type { GitHubEventContext, GitHubGateway } from "../github/index.js";
import type { JudgeMetricFactory, OpikGateway } from "../opik/opik-gateway.js";
import type { OpikConnection } from "../opik/opik-sdk-gateway.js";
import type { RunIdentity } from "../pipeline/lease.js";
import { loadBaseline } from "../pipeline/load-baseline.js";
import { loadRunHistory } from "../pipeline/load-history.js";
import type { RunHistory } from "../history/run-history.js";
import type { Logger } from "../pipeline/logger.js";
import { rejectedConfigResult } from "../pipeline/rejected-config-result.js";
import { runPipeline } from "../pipeline/run-pipeline.js";
import type { PipelineRun } from "../run-result.js";
import { buildPublication, postComment, type PullRequestComment } from "../publish/index.js";
import { commentMarker, MAX_COMMENT_CHARS, SUMMARY_BUDGET_BYTES } from "../report/limits.js";
import { renderComment } from "../report/render-comment.js";
import { renderDriftChart, renderTrendComment, renderTrendSection, withCommentTrend } from "../report/render-trends.js";
import type { ChatModel } from "../types.js";
import { AdaptiveLimiter } from "../util/adaptive-limiter.js";
import { CompletionCache, type CompletionStore } from "../cache/completion-cache.js";
import { checkDrift, driftRunsNeeded, unreadHistory } from "./check-drift.js";
import type { ExitDecision, Outcome } from "./outcome.js";

/** The inputs as a runner read them, and what it knows about the run. */
export interface EvaluateInputs {
  raw: RawInputs;
  /** The event that started the run; absent outside a runner. */
  event?: GitHubEventContext;
  /** GITHUB_EVENT_NAME, when there is no event context to say it. */
  eventName?: string;
  /** Recorded on the experiment, so a later pull request can find its baseline. */
  runContext: Record<string, unknown>;
  run: RunIdentity;
  /** Where the result file goes when result-file is empty ($RUNNER_TEMP). */
  tempDir: string;
}

/** The files the inputs name, read by the runner's side so the core stays free of the workspace's location. */
export interface InputFiles {
  registry(raw: RawInputs): Promise<RegistrySource>;
  facts(raw: RawInputs): Promise<FileFacts>;
  /** Throws a ConfigError naming the setting when the file is missing or malformed. */
  taskPrompt(promptFile: { path: string; setting: string }): Promise<PromptTemplate>;
}

export interface EvaluateDeps {
  files: InputFiles;
  opik(connection: OpikConnection): OpikGateway;
  /** Providers report pushback to the limiter, which then lowers the concurrency. */
  chatModel(settings: ProviderSettings, limiter: AdaptiveLimiter): ChatModel;
  judgeMetrics: JudgeMetricFactory;
  /** Where completions are kept between runs; without it nothing is cached. */
  completionStore?: CompletionStore;
  /** How the pull request comment is posted; without it no comment is posted. */
  github?: (token: string, warn: (message: string) => void) => GitHubGateway;
  now(): Date;
  log: Logger;
}

const RESULT_FILE_NAME = "opik-evaluate-result.json";

/** A rejected configuration always fails the step, as an error; nothing else is gated. */
const REJECTED_GATE: GateSettings = { thresholds: {}, maxRegression: { perMetric: {} }, minItems: 1, maxErrorRate: 1, failOn: ["error"], baseline: "none" };

function resultFilePath(inputs: EvaluateInputs, configured: string | undefined): string {
  return path.resolve(configured ?? path.join(inputs.tempDir, RESULT_FILE_NAME));
}

/** A rejected configuration, reported like a failed run: the summary lists the problems, the outputs say failed. */
function rejectedOutcome(inputs: EvaluateInputs, error: ConfigError): Outcome {
  const result = rejectedConfigResult(inputs.raw, error.problems);
  const verdict = computeVerdict({ run: { result, items: [] }, settings: REJECTED_GATE });
  // A result-file the configuration rejected is not written to; the default location is.
  const resultFile = inputs.raw["result-file"].trim();
  const usable = resultFile && !error.problems.some((problem) => problem.startsWith("result-file:"));
  const publication = buildPublication({ result, items: [], verdict, resultFile: resultFilePath(inputs, usable ? resultFile : undefined) });
  return { ...publication, result, verdict, exit: { failed: true, message: errorMessage(error) } };
}

function exitDecision(run: PipelineRun, verdict: GateVerdict): ExitDecision {
  const { result } = run;
  if (result.status === "failed") return { failed: true, message: `Opik evaluation failed: ${result.errors[0] ?? "see the job summary"}` };
  if (verdict.failsStep) return { failed: true, message: `Opik evaluation gate: ${verdict.state}${verdict.reasons[0] ? ` - ${verdict.reasons[0]}` : ""}` };
  return { failed: false, message: `Opik evaluation ${result.status}; gate ${verdict.state}` };
}

/** The comment this run posts on its pull request, or none (comment off, not a pull request, no way to post). */
function plannedComment(config: ActionConfig, event: GitHubEventContext | undefined, body: (marker: string) => string): PullRequestComment | undefined {
  // A shard's slice is not the pull request's result: the report job comments once for all of them.
  if (config.run.comment === "off" || !event?.prNumber || config.run.shard) return undefined;
  const marker = commentMarker({ workflow: event.workflow, job: event.job, experimentType: config.experimentType });
  return { body: body(marker), marker, mode: config.run.comment, issueNumber: event.prNumber };
}

/**
 * The feature's scheduled runs, for the trend charts; read after the run, so a scheduled run's own experiment (with
 * its health) is the last point. Opik failing to answer costs the charts, never the run.
 */
async function readHistory(opik: OpikGateway, config: ActionConfig, run: PipelineRun, log: Logger, runs: number): Promise<RunHistory | undefined> {
  const experiment = run.result.experiment;
  // A run that failed before its experiment most likely failed on Opik: a second warning would only repeat it.
  if (run.result.status === "failed" && !experiment) return undefined;
  try {
    return await loadRunHistory(opik, { ...config, trendRuns: runs }, config.run.mode === "harvest" && experiment ? { experimentId: experiment.id } : {});
  } catch (error) {
    const warning = `The trend charts are left out: the feature's earlier runs could not be read from Opik: ${errorMessage(error)}`;
    run.result.warnings.push(warning);
    log.warning(warning);
    return undefined;
  }
}

/**
 * One run, from read inputs to everything a runner publishes: harvest and
 * evaluate, the baseline and the gate, the report and the comment. Reads no
 * environment and writes nothing but through its dependencies; the runner
 * publishes the outcome and sets the step's result.
 */
export async function evaluate(inputs: EvaluateInputs, deps: EvaluateDeps): Promise<Outcome> {
  const { raw, event } = inputs;
  const log = deps.log;
  let config: ActionConfig;
  try {
    config = parseConfig(raw, await deps.files.registry(raw), deps.now(), event?.eventName || inputs.eventName, await deps.files.facts(raw));
  } catch (error) {
    if (error instanceof ConfigError) return rejectedOutcome(inputs, error);
    throw error;
  }
  // Read even for replay, which sends no prompt: a broken file fails the run that introduced it.
  const taskPrompt = config.feature.promptFile ? await deps.files.taskPrompt(config.feature.promptFile) : undefined;
  const opik = deps.opik({ ...config.opik, runId: inputs.run.id });
  const limiter = new AdaptiveLimiter(config.concurrency);
  const run = await runPipeline(config, {
    opik,
    judgeMetrics: deps.judgeMetrics,
    limiter,
    ...(config.task ? { taskModel: deps.chatModel(config.task, limiter) } : {}),
    ...(taskPrompt ? { taskPrompt } : {}),
    ...(config.judge ? { judgeModel: deps.chatModel(config.judge, limiter) } : {}),
    log,
    now: deps.now(),
    runContext: inputs.runContext,
    run: inputs.run,
    ...(config.cache !== "off" && deps.completionStore ? { cache: new CompletionCache(deps.completionStore) } : {}),
  });
  const { result } = run;
  for (const warning of result.warnings) log.warning(warning);

  const experiment = result.experiment;
  const shard = config.run.shard;
  const deferred = shard ? `Shard ${shard.index}/${shard.count} scored its slice; the report job (mode report) gates the pooled results.` : undefined;
  let baseline: Awaited<ReturnType<typeof loadBaseline>> | undefined;
  if (run.dataset && experiment && !deferred) {
    try {
      baseline = await loadBaseline(opik, {
        dataset: run.dataset,
        currentExperimentId: experiment.id,
        mode: config.run.gate.baseline,
        ...(event?.baseBranch ? { baseBranch: event.baseBranch } : {}),
      });
    } catch (error) {
      baseline = { missing: `the baseline could not be read from Opik: ${errorMessage(error)}`, problem: true };
    }
  }
  const metricsVerdict = computeVerdict({
    run,
    settings: config.run.gate,
    ...(run.experimentConfig ? { currentConfig: run.experimentConfig } : {}),
    ...(baseline ? { baseline } : {}),
    ...(deferred ? { deferred } : {}),
    ...(run.judgeNoise ? { judgeNoise: run.judgeNoise } : {}),
  });
  const verdict = result.testSuite ? withSuiteVerdict(metricsVerdict, result.testSuite) : metricsVerdict;
  const baselineId = baseline && "experimentId" in baseline ? baseline.experimentId : undefined;
  const compareUrl = run.dataset && experiment && baselineId ? opik.compareUrl(run.dataset, [experiment.id, baselineId]) : undefined;
  const links = {
    ...(experiment ? { experimentUrl: experiment.url } : result.testSuite ? { experimentUrl: result.testSuite.url } : {}),
    ...(compareUrl ? { compareUrl } : {}),
    ...(event?.runUrl ? { runUrl: event.runUrl } : {}),
  };

  // One read serves the charts and the drift check, which may look further back than trend-runs.
  const watchesDrift = config.run.mode === "harvest";
  const read = await readHistory(opik, config, run, log, Math.max(config.trendRuns, watchesDrift ? driftRunsNeeded(config) : 0));
  const history = read && { ...read, runs: read.runs.slice(-config.trendRuns) };
  const comment = plannedComment(config, event, (marker) => {
    const body = renderComment(run, verdict, links, marker);
    return withCommentTrend(body, renderTrendComment(history, verdict, MAX_COMMENT_CHARS - body.length - 1), marker, MAX_COMMENT_CHARS);
  });
  let commentUrl: string | undefined;
  if (comment && deps.github) {
    const github = deps.github;
    const token = config.run.githubToken;
    const warn = (message: string): void => log.warning(message);
    if (token) commentUrl = await postComment(() => github(token, warn), comment, warn);
    else warn("No github-token: the pull request comment was not posted (the job summary has the report)");
  }
  // Scheduled runs watch the feature over time; a pull request's run is not one of the schedule's.
  // Without a history the run has already warned; the drift check only says why it could not look.
  const drift = !watchesDrift
    ? undefined
    : read
      ? await checkDrift(config, {
          opik,
          log,
          github: deps.github,
          history: read,
          chart: renderDriftChart,
          ...(event?.runUrl ? { runUrl: event.runUrl } : {}),
        })
      : unreadHistory(config, "the feature's earlier runs could not be read from Opik (see the warnings)");
  const reported = drift ? { ...result, drift } : result;
  const publication = buildPublication({
    result: reported,
    items: run.items,
    verdict,
    resultFile: resultFilePath(inputs, config.resultFile),
    ...(compareUrl ? { compareUrl } : {}),
    ...(commentUrl ? { commentUrl } : {}),
  });
  const trends = renderTrendSection(history, verdict, SUMMARY_BUDGET_BYTES - Buffer.byteLength(publication.summary) - 1);
  return {
    ...publication,
    ...(trends ? { summary: `${publication.summary}\n${trends}` } : {}),
    result: reported,
    verdict,
    ...(history ? { history } : {}),
    ...(comment ? { comment: { body: comment.body, mode: comment.mode, ...(commentUrl ? { url: commentUrl } : {}) } } : {}),
    exit: exitDecision(run, verdict),
  };
}
