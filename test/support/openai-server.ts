import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { flattenHeaders, parseJsonOrUndefined, readBody } from "./loopback-http.js";

/**
 * A loopback server speaking the OpenAI Chat Completions wire format, so the
 * real openai client (and Ollama's OpenAI-compatible mode) can be exercised
 * end to end: retries, headers, error bodies and all.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** When the request arrived (Date.now()), to measure the waits between retries. */
  receivedAt: number;
}

export interface ScriptedResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A string becomes a successful chat.completion with that content; anything else is sent as given. */
export type OpenAIReplyHandler = (body: unknown, request: RecordedRequest) => string | ScriptedResponse;

export interface OpenAIServer {
  /** Base URL including /v1, as the openai client's `baseURL` takes it. */
  url: string;
  requests: RecordedRequest[];
  reply(handler: OpenAIReplyHandler): void;
  /** The next `count` chat requests fail with `status` and an OpenAI error body, before the handler is consulted. */
  failNext(count: number, status: number, headers?: Record<string, string>, message?: string): void;
  close(): Promise<void>;
}

export async function startOpenAIServer(options: { latencyMs?: number } = {}): Promise<OpenAIServer> {
  const requests: RecordedRequest[] = [];
  const failures: ScriptedResponse[] = [];
  let handler: OpenAIReplyHandler = () => "ok";

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const request: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: flattenHeaders(req),
        body: parseJsonOrUndefined(raw),
        receivedAt: Date.now(),
      };
      requests.push(request);
      if (options.latencyMs) await delay(options.latencyMs);
      send(res, answer(request, raw));
    })();
  });

  function answer(request: RecordedRequest, raw: string): ScriptedResponse {
    if (request.method !== "POST" || request.path !== "/v1/chat/completions") {
      return { status: 404, body: openAIErrorBody(404, `Invalid URL (${request.method} ${request.path})`) };
    }
    if (request.body === undefined) {
      return { status: 400, body: openAIErrorBody(400, `We could not parse the JSON body of your request: ${raw.slice(0, 80)}`) };
    }
    const failure = failures.shift();
    if (failure) return failure;
    const scripted = handler(request.body, request);
    if (typeof scripted !== "string") return scripted;
    const usage = { promptTokens: countPromptWords(request.body), completionTokens: countWords(scripted) };
    return { status: 200, body: chatCompletionBody(scripted, { model: modelOf(request.body), ...usage }) };
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    reply(next) {
      handler = next;
    },
    failNext(count, status, headers = {}, message = defaultErrorMessage(status)) {
      for (let i = 0; i < count; i++) failures.push({ status, headers, body: openAIErrorBody(status, message) });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

export interface ChatCompletionBodyOptions {
  model?: string;
  refusal?: string | null;
  finishReason?: "stop" | "length" | "content_filter" | "tool_calls";
  promptTokens?: number;
  completionTokens?: number;
}

/** A `chat.completion` object exactly as the API returns it. */
export function chatCompletionBody(content: string | null, options: ChatCompletionBodyOptions = {}): Record<string, unknown> {
  const promptTokens = options.promptTokens ?? 10;
  const completionTokens = options.completionTokens ?? (content ? countWords(content) : 0);
  return {
    id: `chatcmpl-loopback${Math.random().toString(36).slice(2, 10)}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: options.model ?? "gpt-4o-mini-2024-07-18",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, refusal: options.refusal ?? null, annotations: [] },
        logprobs: null,
        finish_reason: options.finishReason ?? "stop",
      },
    ],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    service_tier: "default",
    system_fingerprint: "fp_loopback",
  };
}

/** OpenAI's error body; type and code follow what the API sends for each status. */
export function openAIErrorBody(status: number, message: string): { error: { message: string; type: string; param: string | null; code: string | null } } {
  const [type, code] = ERROR_KINDS[status] ?? (status >= 500 ? ["server_error", null] : ["invalid_request_error", null]);
  return { error: { message, type, param: null, code } };
}

const ERROR_KINDS: Record<number, [string, string | null]> = {
  400: ["invalid_request_error", null],
  401: ["invalid_request_error", "invalid_api_key"],
  403: ["invalid_request_error", "unsupported_country_region_territory"],
  404: ["invalid_request_error", "model_not_found"],
  429: ["requests", "rate_limit_exceeded"],
};

function defaultErrorMessage(status: number): string {
  if (status === 429) return "Rate limit reached for gpt-4o-mini in organization org-loopback on requests per min (RPM): Limit 3, Used 3, Requested 1.";
  if (status >= 500) return "The server had an error while processing your request. Sorry about that!";
  return `Loopback error ${status}`;
}

function modelOf(body: unknown): string | undefined {
  return isRecord(body) && typeof body.model === "string" ? body.model : undefined;
}

function countPromptWords(body: unknown): number {
  if (!isRecord(body) || !Array.isArray(body.messages)) return 0;
  return (body.messages as unknown[]).reduce<number>(
    (sum, message) => sum + (isRecord(message) && typeof message.content === "string" ? countWords(message.content) : 0),
    0,
  );
}

function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function send(res: ServerResponse, response: ScriptedResponse): void {
  const payload = typeof response.body === "string" ? response.body : JSON.stringify(response.body);
  res.writeHead(response.status, { "content-type": "application/json", ...response.headers });
  res.end(payload);
}
