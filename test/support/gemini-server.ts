import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { flattenHeaders, parseJsonOrUndefined, readBody } from "./loopback-http.js";

/**
 * A loopback server speaking Gemini's generateContent wire format, so the real
 * @google/generative-ai client can be exercised end to end, including Google's
 * error bodies with RetryInfo details.
 */

export interface RecordedGeminiRequest {
  method: string;
  path: string;
  /** "v1beta" unless the client was told otherwise. */
  apiVersion: string | undefined;
  /** The model from the path, without the "models/" prefix. */
  model: string | undefined;
  headers: Record<string, string>;
  body: unknown;
  /** When the request arrived (Date.now()), to measure the waits between retries. */
  receivedAt: number;
}

export interface ScriptedGeminiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A string becomes a successful GenerateContentResponse with that text; anything else is sent as given. */
export type GeminiReplyHandler = (body: unknown, request: RecordedGeminiRequest) => string | ScriptedGeminiResponse;

export interface GeminiFailureOptions {
  /** Adds a google.rpc.RetryInfo detail, e.g. "7s". */
  retryDelay?: string;
  headers?: Record<string, string>;
  message?: string;
}

export interface GeminiServer {
  /** Host root, as the client's `baseUrl` takes it (the client adds /v1beta/models/...). */
  url: string;
  requests: RecordedGeminiRequest[];
  reply(handler: GeminiReplyHandler): void;
  /** The next `count` generateContent requests fail with `status` and a Google error body, before the handler is consulted. */
  failNext(count: number, status: number, options?: GeminiFailureOptions): void;
  close(): Promise<void>;
}

const GENERATE_CONTENT_PATH = /^\/(v1|v1beta|v1alpha)\/models\/([^/:]+):generateContent$/;

export async function startGeminiServer(options: { latencyMs?: number } = {}): Promise<GeminiServer> {
  const requests: RecordedGeminiRequest[] = [];
  const failures: ScriptedGeminiResponse[] = [];
  let handler: GeminiReplyHandler = () => "ok";

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const path = req.url ?? "";
      const route = GENERATE_CONTENT_PATH.exec(path);
      const request: RecordedGeminiRequest = {
        method: req.method ?? "",
        path,
        apiVersion: route?.[1],
        model: route?.[2],
        headers: flattenHeaders(req),
        body: parseJsonOrUndefined(raw),
        receivedAt: Date.now(),
      };
      requests.push(request);
      if (options.latencyMs) await delay(options.latencyMs);
      send(res, answer(request, route !== null));
    })();
  });

  function answer(request: RecordedGeminiRequest, routed: boolean): ScriptedGeminiResponse {
    if (request.method !== "POST" || !routed) {
      return { status: 404, body: googleErrorBody(404, `Requested entity was not found: ${request.method} ${request.path}`) };
    }
    if (request.body === undefined) return { status: 400, body: googleErrorBody(400, "Invalid JSON payload received.") };
    if (!request.headers["x-goog-api-key"]) {
      return {
        status: 403,
        body: googleErrorBody(
          403,
          "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        ),
      };
    }
    const failure = failures.shift();
    if (failure) return failure;
    const scripted = handler(request.body, request);
    if (typeof scripted !== "string") return scripted;
    const promptTokens = countWords(collectText(request.body));
    return { status: 200, body: generateContentBody(scripted, { modelVersion: request.model, promptTokens }) };
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply(next) {
      handler = next;
    },
    failNext(count, status, failure = {}) {
      const details = failure.retryDelay ? [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: failure.retryDelay }] : undefined;
      const body = googleErrorBody(status, failure.message ?? defaultErrorMessage(status), details);
      for (let i = 0; i < count; i++) failures.push({ status, body, headers: failure.headers ?? {} });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

export interface GenerateContentBodyOptions {
  modelVersion?: string | undefined;
  finishReason?: string;
  promptTokens?: number;
  candidatesTokens?: number;
}

/** A GenerateContentResponse exactly as the API returns it. */
export function generateContentBody(text: string, options: GenerateContentBodyOptions = {}): Record<string, unknown> {
  const promptTokenCount = options.promptTokens ?? 10;
  const candidatesTokenCount = options.candidatesTokens ?? countWords(text);
  return {
    candidates: [
      {
        content: { role: "model", parts: [{ text }] },
        finishReason: options.finishReason ?? "STOP",
        index: 0,
      },
    ],
    usageMetadata: {
      promptTokenCount,
      candidatesTokenCount,
      totalTokenCount: promptTokenCount + candidatesTokenCount,
      promptTokensDetails: [{ modality: "TEXT", tokenCount: promptTokenCount }],
    },
    modelVersion: options.modelVersion ?? "gemini-2.0-flash",
    responseId: `loopback${Math.random().toString(36).slice(2, 10)}`,
  };
}

/** Google's error body: HTTP code, message, canonical status name and optional details. */
export function googleErrorBody(status: number, message: string, details?: unknown[]): { error: Record<string, unknown> } {
  const statusName = STATUS_NAMES[status] ?? (status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION");
  return { error: { code: status, message, status: statusName, ...(details ? { details } : {}) } };
}

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  408: "DEADLINE_EXCEEDED",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

function defaultErrorMessage(status: number): string {
  if (status === 429) return "You exceeded your current quota, please check your plan and billing details.";
  if (status === 503) return "The model is overloaded. Please try again later.";
  if (status >= 500) return "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting";
  return `Loopback error ${status}`;
}

/** Every text part of the request (system instruction and turns), for a rough prompt token count. */
function collectText(body: unknown): string {
  if (typeof body === "string") return body;
  if (Array.isArray(body)) return body.map(collectText).join(" ");
  if (typeof body !== "object" || body === null) return "";
  return Object.entries(body)
    .filter(([key]) => key === "text" || key === "contents" || key === "parts" || key === "systemInstruction")
    .map(([, value]) => collectText(value))
    .join(" ");
}

function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function send(res: ServerResponse, response: ScriptedGeminiResponse): void {
  const payload = typeof response.body === "string" ? response.body : JSON.stringify(response.body);
  res.writeHead(response.status, { "content-type": "application/json; charset=UTF-8", ...response.headers });
  res.end(payload);
}
