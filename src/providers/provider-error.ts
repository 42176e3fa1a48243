import type { JudgeProvider } from "../types.js";
import { displayUrl, redactSecret } from "../util/redact.js";

const PROVIDER_LABELS: Record<JudgeProvider, string> = {
  openai: "OpenAI",
  ollama: "Ollama",
  gemini: "Gemini",
};

export interface ProviderErrorDetails {
  provider: JudgeProvider;
  model: string;
  /** Shown when the user pointed the client somewhere else (proxy, gateway, Ollama), because that is often the culprit. */
  baseURL?: string | undefined;
  /** HTTP status of the failed call, when there was one. */
  status?: number | undefined;
  /** Scrubbed from the message: gateways and SDKs sometimes echo the key back. */
  apiKey?: string | undefined;
  cause?: unknown;
}

/** A failed or unusable model call, named after the provider and model so a run's log says which one. */
export class ProviderError extends Error {
  readonly provider: JudgeProvider;
  readonly model: string;
  readonly status: number | undefined;

  constructor(problem: string, details: ProviderErrorDetails) {
    const where = details.baseURL ? ` at ${displayUrl(details.baseURL)}` : "";
    const message = `${PROVIDER_LABELS[details.provider]} model "${details.model}"${where} ${problem}`;
    super(redactSecret(message, details.apiKey), { cause: details.cause });
    this.name = "ProviderError";
    this.provider = details.provider;
    this.model = details.model;
    this.status = details.status;
  }
}
