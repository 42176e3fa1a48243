import type { ProviderSettings } from "../config/parse-config.js";
import { readFileFacts, readRegistry, readTaskPrompt } from "../config/read-input-files.js";
import type { EvaluateDeps } from "../core/evaluate.js";
import { opikJudgeMetrics } from "../opik/opik-judges.js";
import { createOpikGateway } from "../opik/opik-sdk-gateway.js";
import type { Logger } from "../pipeline/logger.js";
import { createGeminiChatModel } from "../providers/gemini-chat-model.js";
import { createOpenAIChatModel } from "../providers/openai-chat-model.js";
import type { ChatModel } from "../types.js";
import type { AdaptiveLimiter } from "../util/adaptive-limiter.js";

function chatModelFor(settings: ProviderSettings, limiter: AdaptiveLimiter): ChatModel {
  const onRateLimited = (): void => limiter.pushedBack();
  if (settings.provider === "gemini") {
    return createGeminiChatModel({
      apiKey: settings.apiKey,
      model: settings.model,
      temperature: settings.temperature,
      onRateLimited,
      ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}),
    });
  }
  return createOpenAIChatModel({
    apiKey: settings.apiKey,
    model: settings.model,
    temperature: settings.temperature,
    provider: settings.provider,
    onRateLimited,
    ...(settings.baseUrl ? { baseURL: settings.baseUrl } : {}),
  });
}

/** The real Opik, the real providers and the workspace's files: what both runners give the core. */
export function nodeDeps(options: { workspace: string; log: Logger }): EvaluateDeps {
  return {
    files: {
      registry: (raw) => readRegistry(raw, options.workspace),
      facts: (raw) => readFileFacts(raw),
      taskPrompt: (promptFile) => readTaskPrompt(promptFile, options.workspace),
    },
    opik: createOpikGateway,
    chatModel: chatModelFor,
    judgeMetrics: opikJudgeMetrics,
    now: () => new Date(),
    log: options.log,
  };
}
