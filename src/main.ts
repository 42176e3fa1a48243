import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as core from "@actions/core";
import { parseConfig, type ActionConfig, type ProviderSettings } from "./config/parse-config.js";
import { readInputs, readRegistry } from "./config/read-inputs.js";
import { OUTPUTS } from "./constants.js";
import { errorMessage } from "./errors.js";
import { opikJudgeMetrics } from "./opik/opik-judges.js";
import { createOpikGateway } from "./opik/opik-sdk-gateway.js";
import { runPipeline, type PipelineResult } from "./pipeline/run-pipeline.js";
import { createGeminiChatModel } from "./providers/gemini-chat-model.js";
import { createOpenAIChatModel } from "./providers/openai-chat-model.js";
import { renderSummary } from "./report/render-summary.js";
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

/** What the experiment records about the run that produced it. */
function runContext(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  if (env.GITHUB_SHA) context.git_sha = env.GITHUB_SHA;
  if (env.GITHUB_REF_NAME) context.branch = env.GITHUB_REF_NAME;
  if (env.GITHUB_EVENT_NAME) context.event = env.GITHUB_EVENT_NAME;
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    context.workflow_run_url = `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  return context;
}

async function publish(result: PipelineResult, config: ActionConfig): Promise<void> {
  const json = JSON.stringify(result, null, 2);
  const resultFile = path.resolve(config.resultFile ?? path.join(process.env.RUNNER_TEMP ?? os.tmpdir(), "opik-evaluate-result.json"));
  await writeFile(resultFile, `${json}\n`);
  const outputs: Record<string, string> = {
    [OUTPUTS.status]: result.status,
    [OUTPUTS.resultJson]: JSON.stringify(result),
    [OUTPUTS.resultFile]: resultFile,
    [OUTPUTS.datasetName]: result.dataset_name ?? "",
    [OUTPUTS.experimentName]: result.experiment_result?.experiment_name ?? "",
    [OUTPUTS.experimentUrl]: result.experiment_result?.experiment_url ?? "",
    [OUTPUTS.spansFound]: String(result.spans_found),
    [OUTPUTS.spansNew]: String(result.spans_new),
  };
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(renderSummary(result)).write();
  core.startGroup("Result");
  core.info(json);
  core.endGroup();
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
 * The action: the one place that decides whether the step failed. The CLI
 * runs the same function with its own logger.
 */
export async function run(options: { logger?: Logger } = {}): Promise<void> {
  const logger = options.logger ?? actionsLogger;
  try {
    const raw = readInputs();
    const config = parseConfig(raw, await readRegistry(raw), new Date());
    const opik = createOpikGateway(config.opik);
    const limiter = new AdaptiveLimiter(config.concurrency);
    const { result } = await runPipeline(config, {
      opik,
      judgeMetrics: opikJudgeMetrics,
      limiter,
      ...(config.task ? { taskModel: chatModelFor(config.task, limiter) } : {}),
      ...(config.judge ? { judgeModel: chatModelFor(config.judge, limiter) } : {}),
      log: logger,
      now: new Date(),
      runContext: runContext(process.env),
    });
    for (const warning of result.warnings) core.warning(warning);
    await publish(result, config);
    if (result.status === "failed") core.setFailed(`Opik evaluation failed: ${result.errors[0] ?? "see the job summary"}`);
    else core.info(`Opik evaluation ${result.status}`);
  } catch (error) {
    core.setFailed(errorMessage(error));
  }
}
