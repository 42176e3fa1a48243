import { GoogleGenerativeAI, GoogleGenerativeAIAbortError } from "@google/generative-ai";
import type { Content, GenerateContentResponse, GenerationConfig, RequestOptions } from "@google/generative-ai";
import { errorMessage } from "../errors.js";
import type { ChatMessage, ChatModel, CompleteOptions, Completion, TokenUsage } from "../types.js";
import { classifyGeminiError, statusOf } from "./gemini-errors.js";
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from "./defaults.js";
import { ProviderError } from "./provider-error.js";
import { withRetry } from "./retry.js";

export interface GeminiChatModelOptions {
  apiKey: string;
  /** Host root of the API or a gateway; a trailing "/v1beta" (or /v1, /v1alpha) is taken as the API version. */
  baseUrl?: string | undefined;
  model: string;
  temperature?: number | undefined;
  maxRetries?: number | undefined;
  timeoutMs?: number | undefined;
  /** Called on every 429 or 503 the provider answers, retried or not, so the caller can slow down. */
  onRateLimited?: (() => void) | undefined;
}

/** Finish reasons that mean the reply was withheld, not merely cut short. */
const BLOCKING_FINISH_REASONS = new Set(["SAFETY", "RECITATION", "LANGUAGE", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"]);

/**
 * A ChatModel on Gemini's generateContent. The @google/generative-ai client
 * does not retry, so 408/429/5xx, timeouts and network failures are retried
 * here with exponential backoff and jitter, honouring RetryInfo delays.
 */
export function createGeminiChatModel(opts: GeminiChatModelOptions): ChatModel {
  const requestOptions = toRequestOptions(opts.baseUrl);
  const errorDetails = { provider: "gemini" as const, model: opts.model, baseURL: opts.baseUrl, apiKey: opts.apiKey };
  if (!opts.apiKey) throw new ProviderError("needs an API key, and none was given", errorDetails);
  const client = new GoogleGenerativeAI(opts.apiKey);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return {
    provider: "gemini",
    model: opts.model,
    async complete(messages: ChatMessage[], options: CompleteOptions = {}): Promise<Completion> {
      const { systemInstruction, contents } = toGeminiConversation(messages);
      const generationConfig: GenerationConfig = {
        ...(opts.temperature === undefined ? {} : { temperature: opts.temperature }),
        ...(options.json ? { responseMimeType: "application/json" } : {}),
      };
      const model = client.getGenerativeModel({ model: opts.model, generationConfig, ...(systemInstruction ? { systemInstruction } : {}) }, requestOptions);
      let attempts = 0;
      let response: GenerateContentResponse;
      try {
        response = await withRetry(
          async (attempt) => {
            attempts = attempt;
            // The SDK only listens for a later "abort" event, so a signal aborted already would go unnoticed.
            options.signal?.throwIfAborted();
            // The SDK's own `timeout` leaves a live timer behind each call, keeping the process up; AbortSignal.timeout does not.
            const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])]);
            const result = await model.generateContent({ contents }, { ...requestOptions, signal });
            return result.response;
          },
          {
            maxRetries: opts.maxRetries ?? DEFAULT_MAX_RETRIES,
            classify: (error) => {
              const status = statusOf(error);
              if (status === 429 || status === 503) opts.onRateLimited?.();
              return classifyGeminiError(error);
            },
            signal: options.signal,
          },
        );
      } catch (error) {
        const tries = attempts > 1 ? ` after ${attempts} attempts` : "";
        const timedOut = error instanceof GoogleGenerativeAIAbortError && !options.signal?.aborted;
        const problem = timedOut ? `timed out${tries} (${timeoutMs} ms per attempt)` : `failed${tries}: ${errorMessage(error)}`;
        throw new ProviderError(problem, { ...errorDetails, status: statusOf(error), cause: error });
      }
      return toCompletion(response, opts.model, (problem) => new ProviderError(problem, errorDetails));
    },
  };
}

function toRequestOptions(baseUrl: string | undefined): RequestOptions {
  if (!baseUrl) return {};
  const trimmed = baseUrl.replace(/\/+$/, "");
  const versioned = /^(.*)\/(v1|v1beta|v1alpha)$/.exec(trimmed);
  if (versioned?.[1] && versioned[2]) return { baseUrl: versioned[1], apiVersion: versioned[2] };
  return { baseUrl: trimmed };
}

/** Gemini takes system text apart from the turns, and calls the assistant "model". */
function toGeminiConversation(messages: ChatMessage[]): { systemInstruction: string | undefined; contents: Content[] } {
  const system = messages.filter((message) => message.role === "system").map((message) => message.content);
  const contents: Content[] = messages
    .filter((message) => message.role !== "system")
    .map((message) => ({ role: message.role === "assistant" ? "model" : "user", parts: [{ text: message.content }] }));
  const systemText = system.length > 0 ? system.join("\n\n") : undefined;
  // Gemini rejects a request without turns, so a system-only prompt becomes the user turn.
  if (contents.length === 0) return { systemInstruction: undefined, contents: [{ role: "user", parts: [{ text: systemText ?? "" }] }] };
  return { systemInstruction: systemText, contents };
}

function toCompletion(response: GenerateContentResponse, requestedModel: string, fail: (problem: string) => Error): Completion {
  const candidate = response.candidates?.[0];
  if (!candidate) {
    const feedback = response.promptFeedback;
    if (feedback?.blockReason) {
      throw fail(`blocked the prompt (${feedback.blockReason}${feedback.blockReasonMessage ? `: ${feedback.blockReasonMessage}` : ""})`);
    }
    throw fail("returned no candidates");
  }
  const finishReason = candidate.finishReason ?? "unspecified";
  if (BLOCKING_FINISH_REASONS.has(finishReason)) {
    throw fail(`blocked the reply (finishReason ${finishReason}${candidate.finishMessage ? `: ${candidate.finishMessage}` : ""})`);
  }
  const text = (candidate.content?.parts ?? []).map((part) => part.text ?? "").join("");
  if (!text.trim()) throw fail(`returned an empty reply (finishReason ${finishReason})`);
  const usage = toTokenUsage(response.usageMetadata);
  const modelVersion = (response as { modelVersion?: unknown }).modelVersion;
  return { text, model: typeof modelVersion === "string" && modelVersion ? modelVersion : requestedModel, ...(usage ? { usage } : {}) };
}

function toTokenUsage(usage: GenerateContentResponse["usageMetadata"]): TokenUsage | undefined {
  if (!usage) return undefined;
  // Thinking models bill their thoughts as output tokens; the SDK's type predates the field.
  const thoughts = (usage as { thoughtsTokenCount?: unknown }).thoughtsTokenCount;
  const promptTokens = usage.promptTokenCount ?? 0;
  const completionTokens = (usage.candidatesTokenCount ?? 0) + (typeof thoughts === "number" ? thoughts : 0);
  return { promptTokens, completionTokens, totalTokens: usage.totalTokenCount ?? promptTokens + completionTokens };
}
