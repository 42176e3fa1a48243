import * as core from "@actions/core";
import { randomBytes } from "node:crypto";
import { parseConfig, type ActionConfig, type ProviderSettings, type RawInputs } from "./config/parse-config.js";
import { readFileFacts, readInputs, readRegistry, readTaskPrompt } from "./config/read-inputs.js";
import { ConfigError, errorMessage } from "./errors.js";
import { opikJudgeMetrics } from "./opik/opik-judges.js";
import { createOpikGateway } from "./opik/opik-sdk-gateway.js";
import { computeVerdict } from "./gate/index.js";
import { currentEventContext, type GitHubEventContext } from "./github/index.js";
import { loadBaseline } from "./pipeline/load-baseline.js";
import { runPipeline } from "./pipeline/run-pipeline.js";
import { postComment } from "./publish/post-comment.js";
import { publishRejectedConfig } from "./publish/publish-rejected-config.js";
import { publishResult } from "./publish/publish-result.js";
import { createGeminiChatModel } from "./providers/gemini-chat-model.js";
import { createOpenAIChatModel } from "./providers/openai-chat-model.js";
import type { RunIdentity } from "./pipeline/lease.js";
import type { Logger } from "./pipeline/logger.js";
import type { ChatModel } from "./types.js";
import { AdaptiveLimiter } from "./util/adaptive-limiter.js";

function chatModelFor(settings: ProviderSettings, limiter: AdaptiveLimiter): ChatModel {
  const onRateLimited = (): void => limiter.pushedBack();
  if (settings.provider === "gemini") {
    return createGeminiChatModel({ apiKey: settings.apiKey, model: settings.model, temperature: settings.temperature, onRateLimited, ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}) });
  }
  return createOpenAIChatModel({ apiKey: settings.apiKey, model: settings.model, temperature: settings.temperature, provider: settings.provider, onRateLimited, ...(settings.baseUrl ? { baseURL: settings.baseUrl } : {}) });
}

/** What the experiment records about the run that produced it, so a later pull request can find its baseline. */
function runContext(env: NodeJS.ProcessEnv, event: GitHubEventContext | undefined): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  const sha = event?.headSha || env.GITHUB_SHA;
  if (sha) context.git_sha = sha;
  const branch = event?.headBranch ?? env.GITHUB_REF_NAME;
  if (branch) context.branch = branch;
  if (event?.baseBranch) context.base_branch = event.baseBranch;
  if (event?.prNumber) context.pr_number = event.prNumber;
  const eventName = event?.eventName || env.GITHUB_EVENT_NAME;
  if (eventName) context.event = eventName;
  const runUrl = event?.runUrl ?? (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined);
  if (runUrl) context.workflow_run_url = runUrl;
  return context;
}

/** A run id unique even across reruns of one workflow run, and readable back to it. */
function runIdentity(env: NodeJS.ProcessEnv, context: Record<string, unknown>): RunIdentity {
  const workflowRun = env.GITHUB_RUN_ID ? `${env.GITHUB_RUN_ID}.${env.GITHUB_RUN_ATTEMPT ?? "1"}.` : "";
  const url = typeof context.workflow_run_url === "string" ? context.workflow_run_url : undefined;
  return { id: `${workflowRun}${randomBytes(4).toString("hex")}`, ...(url ? { url } : {}) };
}

/** The runner's log: a progress line every tenth of the work, so long runs show they are alive. */
const actionsLogger: Logger = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  progress: (done, total, what) => {
    if (done === total || done % Math.max(1, Math.ceil(total / 10)) === 0) core.info(`${done}/${total} ${what}`);
  },
};

/**
 * The configuration, or a rejection published like a failed run (summary,
 * status and result-json) before the error goes on to fail the step.
 */
async function loadConfig(raw: RawInputs, eventName: string | undefined, logger: Logger): Promise<ActionConfig> {
  try {
    return parseConfig(raw, await readRegistry(raw), new Date(), eventName, await readFileFacts(raw));
  } catch (error) {
    if (error instanceof ConfigError) {
      try {
        await publishRejectedConfig(raw, error.problems);
      } catch (publishError) {
        logger.warning(`The rejected configuration's report could not be published: ${errorMessage(publishError)}`);
      }
    }
    throw error;
  }
}

/**
 * The action: the one place that decides whether the step failed. The CLI
 * runs the same function with its own logger.
 */
export async function run(options: { logger?: Logger } = {}): Promise<void> {
  const logger = options.logger ?? actionsLogger;
  try {
    const raw = readInputs();
    const event = currentEventContext();
    const config = await loadConfig(raw, event?.eventName || process.env.GITHUB_EVENT_NAME, logger);
    // Read even for replay, which sends no prompt: a broken file fails the run that introduced it.
    const taskPrompt = config.feature.promptFile ? await readTaskPrompt(config.feature.promptFile) : undefined;
    const context = runContext(process.env, event);
    const identity = runIdentity(process.env, context);
    const opik = createOpikGateway({ ...config.opik, runId: identity.id });
    const limiter = new AdaptiveLimiter(config.concurrency);
    const run = await runPipeline(config, {
      opik,
      judgeMetrics: opikJudgeMetrics,
      limiter,
      ...(config.task ? { taskModel: chatModelFor(config.task, limiter) } : {}),
      ...(taskPrompt ? { taskPrompt } : {}),
      ...(config.judge ? { judgeModel: chatModelFor(config.judge, limiter) } : {}),
      log: logger,
      now: new Date(),
      runContext: context,
      run: identity,
    });
    const { result } = run;
    for (const warning of result.warnings) logger.warning(warning);

    const experiment = result.experiment_result;
    let baseline: Awaited<ReturnType<typeof loadBaseline>> | undefined;
    if (run.dataset && experiment) {
      try {
        baseline = await loadBaseline(opik, { dataset: run.dataset, currentExperimentId: experiment.experiment_id, mode: config.run.gate.baseline, ...(event?.baseBranch ? { baseBranch: event.baseBranch } : {}) });
      } catch (error) {
        baseline = { missing: `the baseline could not be read from Opik: ${errorMessage(error)}`, problem: true };
      }
    }
    const verdict = computeVerdict({ run, settings: config.run.gate, ...(run.experimentConfig ? { currentConfig: run.experimentConfig } : {}), ...(baseline ? { baseline } : {}) });
    const baselineId = baseline && "experimentId" in baseline ? baseline.experimentId : undefined;
    const compareUrl = run.dataset && experiment && baselineId ? opik.compareUrl(run.dataset, [experiment.experiment_id, baselineId]) : undefined;
    const links = { ...(experiment ? { experimentUrl: experiment.experiment_url } : {}), ...(compareUrl ? { compareUrl } : {}) };

    // Everything is published before the step is failed: a red check always comes with its report.
    const commentUrl = await postComment({ run, verdict, event, mode: config.run.comment, token: config.run.githubToken, experimentType: config.experimentType, links, warn: (m) => logger.warning(m) });
    await publishResult({ result, items: run.items, verdict, ...(config.resultFile ? { resultFile: config.resultFile } : {}), ...(compareUrl ? { compareUrl } : {}), ...(commentUrl ? { commentUrl } : {}) });

    if (result.status === "failed") core.setFailed(`Opik evaluation failed: ${result.errors[0] ?? "see the job summary"}`);
    else if (verdict.failsStep) core.setFailed(`Opik evaluation gate: ${verdict.state}${verdict.reasons[0] ? ` - ${verdict.reasons[0]}` : ""}`);
    else core.info(`Opik evaluation ${result.status}; gate ${verdict.state}`);
  } catch (error) {
    core.setFailed(errorMessage(error));
  }
}
