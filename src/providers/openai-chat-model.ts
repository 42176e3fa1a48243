import { APIError, OpenAI } from "openai";
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { errorMessage } from "../errors.js";
import type { ChatMessage, ChatModel, CompleteOptions, Completion, TokenUsage } from "../types.js";
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from "./defaults.js";
import { ProviderError } from "./provider-error.js";

export const OLLAMA_DEFAULT_BASE_URL = "http://localhost:11434/v1";

export interface OpenAIChatModelOptions {
  apiKey: string;
  baseURL?: string | undefined;
  model: string;
  temperature?: number | undefined;
  /** "ollama" is the same client pointed at Ollama's OpenAI-compatible endpoint. */
  provider?: "openai" | "ollama" | undefined;
  maxRetries?: number | undefined;
  timeoutMs?: number | undefined;
  /** Called on every 429 or 503 the provider answers, retried or not, so the caller can slow down. */
  onRateLimited?: (() => void) | undefined;
}

/**
 * A ChatModel on the Chat Completions API. Retries of 429/5xx (honouring
 * Retry-After and retry-after-ms) and timeouts are the openai client's own.
 */
export function createOpenAIChatModel(opts: OpenAIChatModelOptions): ChatModel {
  const provider = opts.provider ?? "openai";
  const baseURL = opts.baseURL || (provider === "ollama" ? OLLAMA_DEFAULT_BASE_URL : undefined);
  // Ollama ignores the key, but the client refuses to start without one.
  const apiKey = opts.apiKey || (provider === "ollama" ? "ollama" : "");
  const errorDetails = { provider, model: opts.model, baseURL, apiKey: opts.apiKey };
  if (!apiKey) throw new ProviderError("needs an API key, and none was given", errorDetails);

  const client = new OpenAI({
    apiKey,
    baseURL,
    maxRetries: opts.maxRetries ?? DEFAULT_MAX_RETRIES,
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    // The client retries pushback itself; this lets the caller see it happen.
    ...(opts.onRateLimited ? { fetch: observingFetch(opts.onRateLimited) } : {}),
  });

  return {
    provider,
    model: opts.model,
    async complete(messages: ChatMessage[], options: CompleteOptions = {}): Promise<Completion> {
      const request: ChatCompletionCreateParamsNonStreaming = {
        model: opts.model,
        messages: messages.map((message) => ({ role: message.role, content: message.content })),
        // Left out unless set: some models (o-series, gpt-5) reject any temperature but their default.
        ...(opts.temperature === undefined ? {} : { temperature: opts.temperature }),
        ...(options.json ? { response_format: { type: "json_object" as const } } : {}),
      };
      let response: ChatCompletion;
      try {
        response = await client.chat.completions.create(request, options.signal ? { signal: options.signal } : undefined);
      } catch (error) {
        throw new ProviderError(`failed: ${errorMessage(error)}`, { ...errorDetails, status: statusOf(error), cause: error });
      }
      return toCompletion(response, opts.model, (problem) => new ProviderError(problem, errorDetails));
    },
  };
}

function observingFetch(onRateLimited: () => void): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (response.status === 429 || response.status === 503) onRateLimited();
    return response;
  };
}

function statusOf(error: unknown): number | undefined {
  // instanceof on the generic class narrows its fields to `any`.
  return error instanceof APIError ? (error as APIError).status : undefined;
}

function toCompletion(response: ChatCompletion, requestedModel: string, fail: (problem: string) => Error): Completion {
  const choice = response.choices[0];
  if (!choice) throw fail("returned no choices");
  const { refusal, content } = choice.message;
  if (refusal) throw fail(`refused to answer: ${refusal}`);
  if (!content?.trim()) throw fail(`returned an empty reply (finish_reason: ${choice.finish_reason})`);
  const usage = toTokenUsage(response.usage);
  return { text: content, model: response.model || requestedModel, ...(usage ? { usage } : {}) };
}

function toTokenUsage(usage: ChatCompletion["usage"]): TokenUsage | undefined {
  if (!usage) return undefined;
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens,
  };
}
