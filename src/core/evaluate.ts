import path from "node:path";
import { parseConfig, type ActionConfig, type FileFacts, type ProviderSettings, type RegistrySource } from "../config/parse-config.js";
import type { RawInputs } from "../config/raw-inputs.js";
import type { PromptTemplate } from "../config/parse-prompt.js";
import { ConfigError, errorMessage } from "../errors.js";
import { computeVerdict, type GateSettings, type GateVerdict } from "../gate/index.js";
import type { GitHubEventContext, GitHubGateway } from "../github/index.js";
import type { JudgeMetricFactory, OpikGateway } from "../opik/opik-gateway.js";
import type { OpikConnection } from "../opik/opik-sdk-gateway.js";
import type { RunIdentity } from "../pipeline/lease.js";
import { loadBaseline } from "../pipeline/load-baseline.js";
import type { Logger } from "../pipeline/logger.js";
import { rejectedConfigResult } from "../pipeline/rejected-config-result.js";
import { runPipeline } from "../pipeline/run-pipeline.js";
import type { PipelineRun } from "../run-result.js";
import { buildPublication, postComment, type PullRequestComment } from "../publish/index.js";
import { commentMarker } from "../report/limits.js";
import { renderComment } from "../report/render-comment.js";
import type { ChatModel } from "../types.js";
import { AdaptiveLimiter } from "../util/adaptive-limiter.js";
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
  if (config.run.comment === "off" || !event?.prNumber) return undefined;
  const marker = commentMarker({ workflow: event.workflow, job: event.job, experimentType: config.experimentType });
  return { body: body(marker), marker, mode: config.run.comment, issueNumber: event.prNumber };
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
  });
  const { result } = run;
  for (const warning of result.warnings) log.warning(warning);

  const experiment = result.experiment;
  let baseline: Awaited<ReturnType<typeof loadBaseline>> | undefined;
  if (run.dataset && experiment) {
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
  const verdict = computeVerdict({
    run,
    settings: config.run.gate,
    ...(run.experimentConfig ? { currentConfig: run.experimentConfig } : {}),
    ...(baseline ? { baseline } : {}),
    ...(run.judgeNoise ? { judgeNoise: run.judgeNoise } : {}),
  });
  const baselineId = baseline && "experimentId" in baseline ? baseline.experimentId : undefined;
  const compareUrl = run.dataset && experiment && baselineId ? opik.compareUrl(run.dataset, [experiment.id, baselineId]) : undefined;
  const links = {
    ...(experiment ? { experimentUrl: experiment.url } : {}),
    ...(compareUrl ? { compareUrl } : {}),
    ...(event?.runUrl ? { runUrl: event.runUrl } : {}),
  };

  const comment = plannedComment(config, event, (marker) => renderComment(run, verdict, links, marker));
  let commentUrl: string | undefined;
  if (comment && deps.github) {
    const github = deps.github;
    const token = config.run.githubToken;
    const warn = (message: string): void => log.warning(message);
    if (token) commentUrl = await postComment(() => github(token, warn), comment, warn);
    else warn("No github-token: the pull request comment was not posted (the job summary has the report)");
  }
  const publication = buildPublication({
    result,
    items: run.items,
    verdict,
    resultFile: resultFilePath(inputs, config.resultFile),
    ...(compareUrl ? { compareUrl } : {}),
    ...(commentUrl ? { commentUrl } : {}),
  });
  return {
    ...publication,
    result,
    verdict,
    ...(comment ? { comment: { body: comment.body, mode: comment.mode, ...(commentUrl ? { url: commentUrl } : {}) } } : {}),
    exit: exitDecision(run, verdict),
  };
}
