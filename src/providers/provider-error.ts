import type { JudgeProvider } from "../types.js";

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
    const where = details.baseURL ? ` at ${withoutCredentials(details.baseURL)}` : "";
    const message = `${PROVIDER_LABELS[details.provider]} model "${details.model}"${where} ${problem}`;
    super(redactSecret(message, details.apiKey), { cause: details.cause });
    this.name = "ProviderError";
    this.provider = details.provider;
    this.model = details.model;
    this.status = details.status;
  }
}

/** Gateways sometimes take a key as user info or a query parameter; neither belongs in a log. */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(invalid URL)";
  }
}

/** Replaces every occurrence of `secret` in `text`; keys too short to be real are left alone to avoid mangling the text. */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 6) return text;
  return text.split(secret).join("***");
}
