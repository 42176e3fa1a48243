import { Opik, OpikQueryLanguage, logger } from "opik";
import { vi } from "vitest";
import { parseNdjson } from "../src/ndjson.js";
import { createUuidV7, startOpikServer, type OpikServer, type OpikServerOptions } from "../src/index.js";

export { createUuidV7 as uuid7 };

export async function startTestServer(options: OpikServerOptions = {}): Promise<OpikServer> {
  return startOpikServer({ port: 0, ...options });
}

/** The real, unmodified SDK pointed at the test server, as a user would configure `opik-url`. */
export function sdkClient(server: OpikServer, projectName: string): Opik {
  return new Opik({ apiUrl: server.url, apiKey: "test-key", workspaceName: "default", projectName, batchDelayMs: 10 });
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** Raw HTTP against the server, for what the SDK does not expose (status codes, headers, error bodies). */
export async function call(server: OpikServer, method: string, path: string, body?: unknown, rawBody?: string): Promise<RawResponse> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { "Content-Type": "application/json", authorization: "test-key", "Comet-Workspace": "default" },
    ...(rawBody !== undefined ? { body: rawBody } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export async function streamRows(server: OpikServer, path: string, body: unknown): Promise<Record<string, unknown>[]> {
  const response = await call(server, "POST", path, body);
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${response.text}`);
  return parseNdjson(response.text) as Record<string, unknown>[];
}

/**
 * The SDK logs (and drops) stream rows its schema rejects; a test fails if that happens,
 * because the real backend's rows always parse.
 */
export function watchSdkErrors(): { messages: () => string[] } {
  const spy = vi.spyOn(logger, "error");
  return { messages: () => spy.mock.calls.map((args) => args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")) };
}

export function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString();
}

/** An SDK (Fern) error carries the HTTP status and parsed body. */
export function httpFailure(error: unknown): { statusCode: number | undefined; body: unknown } {
  const e = error as { statusCode?: number; body?: unknown };
  return { statusCode: e.statusCode, body: e.body };
}

export async function expectSdkFailure(promise: Promise<unknown>): Promise<{ statusCode: number | undefined; body: unknown }> {
  try {
    await promise;
  } catch (error) {
    return httpFailure(error);
  }
  throw new Error("expected the SDK call to fail");
}

/** Raw `client.api.*.search*` calls hand back the NDJSON body as a byte stream. */
export async function readNdjsonStream(stream: ReadableStream<Uint8Array>): Promise<Record<string, unknown>[]> {
  return parseNdjson(await new Response(stream).text()) as Record<string, unknown>[];
}

export interface WireFilter {
  field: string;
  operator: string;
  value: string;
  key?: string;
}

/**
 * An OQL string as the `filters` array a careful client sends: the SDK's own parser, with `""`
 * where it leaves `value` null (is_empty / is_not_empty). The backend URL-decodes every non-string
 * value and fails with a 500 on null, so the SDK's high-level searches cannot use those operators.
 */
export function oqlFilters(filterString: string, entity: "spans" | "traces" = "spans"): WireFilter[] {
  const parser = entity === "spans" ? OpikQueryLanguage.forSpans(filterString) : OpikQueryLanguage.forTraces(filterString);
  return (parser.getFilterExpressions() ?? []).map((e) => ({ field: e.field, operator: e.operator, value: e.value ?? "", ...(e.key ? { key: e.key } : {}) }));
}

/** Ids of a project's spans matching `filters`, through the raw stream call. */
export async function searchSpanIds(client: Opik, projectName: string, filters: WireFilter[]): Promise<string[]> {
  const stream = await client.api.spans.searchSpans({ projectName, filters: filters as never, truncate: false, limit: 2000 });
  return (await readNdjsonStream(stream)).map((row) => String(row.id));
}
