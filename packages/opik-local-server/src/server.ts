import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ApiError, codeError, errorMessage, internalError, routeNotFound, unprocessableJson } from "./errors.js";
import { HttpRouter, type RouteResponse } from "./http-router.js";
import { toNdjson } from "./ndjson.js";
import { loadStore, saveStore } from "./persistence.js";
import { registerAssertionResultRoutes } from "./routes/assertion-results.js";
import { registerDatasetChangeRoutes } from "./routes/dataset-changes.js";
import { registerDatasetRoutes } from "./routes/datasets.js";
import { registerEnvironmentRoutes } from "./routes/environments.js";
import { registerExperimentRoutes } from "./routes/experiments.js";
import { registerFeedbackScoreRoutes } from "./routes/feedback-scores.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerProjectRoutes } from "./routes/projects.js";
import { registerPromptRoutes } from "./routes/prompts.js";
import { registerSpanRoutes } from "./routes/spans.js";
import { registerTraceRoutes } from "./routes/traces.js";
import type { OpikStore } from "./store.js";
import type { FaultRule, OpikServer, OpikServerOptions, RecordedRequest } from "./types.js";

/** The request-body cap when none is set: well above any single write the action makes. */
const DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024;
const API_PREFIX = "/api";

interface ActiveFault {
  readonly rule: FaultRule;
  seen: number;
  failed: number;
}

export function buildRouter(store: OpikStore, options: Pick<OpikServerOptions, "assertionResults"> = {}): HttpRouter {
  const router = new HttpRouter();
  const context = { store };
  registerProjectRoutes(router, context);
  registerTraceRoutes(router, context);
  registerSpanRoutes(router, context);
  registerFeedbackScoreRoutes(router, context, "trace");
  registerFeedbackScoreRoutes(router, context, "span");
  registerDatasetRoutes(router, context);
  registerExperimentRoutes(router, context);
  registerPromptRoutes(router, context);
  registerDatasetChangeRoutes(router, context);
  registerEnvironmentRoutes(router, context);
  if (options.assertionResults !== false) registerAssertionResultRoutes(router, context);
  registerHealthRoutes(router);
  return router;
}

/**
 * An in-memory stand-in for the Opik backend, speaking its REST dialect under
 * `/api/v1/private/...` (self-hosted, behind the UI's proxy) and `/v1/private/...`
 * (the backend port), on 127.0.0.1 only.
 */
export async function startOpikServer(options: OpikServerOptions = {}): Promise<OpikServer> {
  const store = loadStore(options.persistPath);
  const router = buildRouter(store, options);
  const requests: RecordedRequest[] = [];
  let faults: ActiveFault[] = [];
  let maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;

  const server = createServer((req, res) => {
    void readBody(req, maxRequestBytes)
      .then((raw) => {
        if (raw === undefined) {
          // What a proxy's body limit or the backend's Content-Length filter answers, before any parsing.
          const failure = codeError(413, "HTTP 413 Request Entity Too Large");
          const encoded = encode({ status: failure.status, body: failure.body });
          const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname.replace(/^\/api(?=\/)/, "");
          requests.push({
            method: (req.method ?? "GET").toUpperCase(),
            path,
            query: {},
            body: undefined,
            status: failure.status,
            responseBytes: Buffer.byteLength(encoded.payload ?? ""),
          });
          write(res, failure.status, encoded);
          return;
        }
        handle(req, res, raw);
      })
      .catch((error: unknown) => {
        const failure = error instanceof ApiError ? error : codeError(400, errorMessage(error));
        const response = { status: failure.status, body: failure.body };
        write(res, response.status, encode(response));
      });
  });

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const prefixed = url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`);
    const path = prefixed ? url.pathname.slice(API_PREFIX.length) || "/" : url.pathname;
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) if (!(key in query)) query[key] = value;
    const host = req.headers.host ?? `127.0.0.1:${(server.address() as AddressInfo | null)?.port ?? 0}`;
    const baseUrl = `http://${host}${prefixed ? API_PREFIX : ""}`;
    const recordedBody = parseForRecord(raw);

    const fault = takeFault(method, path);
    const applied = !fault || fault.afterApplying ? respond(method, path, query, raw, baseUrl) : undefined;
    if (fault?.hang) {
      requests.push({ method, path, query, body: recordedBody, status: 0, responseBytes: 0 });
      return;
    }
    if (fault?.reset) {
      requests.push({ method, path, query, body: recordedBody, status: 0, responseBytes: 0 });
      req.socket.resetAndDestroy();
      return;
    }
    const status = fault?.status ?? 500;
    const response = fault
      ? { status, body: fault.body ?? { code: status, message: "Injected fault" }, ...(fault.headers ? { headers: fault.headers } : {}) }
      : (applied as RouteResponse);
    const encoded = encode(response);
    requests.push({
      method,
      path,
      query,
      body: recordedBody,
      status: response.status,
      responseBytes: encoded.payload === undefined ? 0 : Buffer.byteLength(encoded.payload),
    });
    write(res, response.status, encoded);
  }

  function respond(method: string, path: string, query: Record<string, string>, raw: string, baseUrl: string): RouteResponse {
    try {
      const resolution = router.resolve(method, path);
      if (resolution.kind === "not-found") throw routeNotFound();
      if (resolution.kind === "method-not-allowed") throw codeError(405, "HTTP 405 Method Not Allowed");
      let body: unknown;
      if (method !== "GET" && method !== "DELETE" && raw.trim() !== "") {
        try {
          body = JSON.parse(raw);
        } catch {
          throw unprocessableJson();
        }
      }
      const response = resolution.match.handler({ method, path, query, body, params: resolution.match.params, baseUrl });
      if (resolution.match.mutates && response.status < 300 && options.persistPath) persist(options.persistPath);
      return response;
    } catch (error) {
      if (error instanceof ApiError) return { status: error.status, body: error.body };
      // Dropwizard's answer to an unexpected exception; the server itself keeps running.
      console.error(`[opik-server] ${method} ${path} failed:`, error);
      const failure = internalError();
      return { status: failure.status, body: failure.body };
    }
  }

  function persist(path: string): void {
    try {
      saveStore(path, store);
    } catch (error) {
      console.error(`[opik-server] could not persist state to ${path}: ${errorMessage(error)}`);
    }
  }

  function takeFault(method: string, path: string): FaultRule | undefined {
    for (const fault of faults) {
      const { rule } = fault;
      if (rule.method !== "*" && rule.method.toUpperCase() !== method) continue;
      if (typeof rule.path === "string" ? rule.path !== path : !rule.path.test(path)) continue;
      fault.seen += 1;
      if (fault.seen <= (rule.after ?? 0)) continue;
      if (fault.failed >= (rule.times ?? Number.POSITIVE_INFINITY)) continue;
      if (rule.rate !== undefined && (rule.random ?? Math.random)() >= rule.rate) continue;
      fault.failed += 1;
      return rule;
    }
    return undefined;
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${API_PREFIX}`,
    requests,
    store,
    injectFault(rule) {
      faults.push({ rule, seen: 0, failed: 0 });
    },
    clearFaults() {
      faults = [];
    },
    limitRequestBytes(bytes) {
      maxRequestBytes = bytes ?? options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets from fetch would otherwise hold close() open.
        server.closeAllConnections();
      });
    },
  };
}

/** The body, or undefined when it is over the cap: read to its end (and dropped) so the client gets the 413. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] | undefined = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) chunks = undefined;
      chunks?.push(chunk);
    });
    req.on("end", () => resolve(chunks && Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseForRecord(raw: string): unknown {
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

interface EncodedResponse {
  headers: Record<string, string>;
  payload: string | undefined;
}

function encode(response: RouteResponse): EncodedResponse {
  const headers: Record<string, string> = { ...response.headers };
  let payload: string | undefined;
  if (response.ndjson !== undefined) {
    headers["Content-Type"] = "application/octet-stream";
    payload = toNdjson(response.ndjson);
  } else if (response.body !== undefined && response.status !== 204) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(response.body);
  }
  if (payload !== undefined) headers["Content-Length"] = String(Buffer.byteLength(payload));
  return { headers, payload };
}

function write(res: ServerResponse, status: number, { headers, payload }: EncodedResponse): void {
  if (res.headersSent) return;
  res.writeHead(status, headers);
  res.end(payload);
}
