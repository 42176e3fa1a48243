import { routeNotFound } from "./errors.js";
import { isUuid } from "./uuid-v7.js";

export interface RouteRequest {
  readonly method: string;
  /** Without the `/api` prefix and without the query, e.g. `/v1/private/spans/search`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly params: Readonly<Record<string, string>>;
  /** What a client used as its base, e.g. `http://127.0.0.1:5173/api`: `Location` headers are built on it. */
  readonly baseUrl: string;
}

export interface RouteResponse {
  readonly status: number;
  readonly body?: unknown;
  /** Stream endpoints: rows written as NDJSON with `application/octet-stream`. */
  readonly ndjson?: readonly unknown[];
  readonly headers?: Readonly<Record<string, string>>;
}

export type RouteHandler = (request: RouteRequest) => RouteResponse;

interface Route {
  readonly method: string;
  readonly segments: readonly string[];
  readonly handler: RouteHandler;
  /** Whether a successful call changes state (and so must be persisted). */
  readonly mutates: boolean;
}

export interface RouteMatch {
  readonly handler: RouteHandler;
  readonly params: Record<string, string>;
  readonly mutates: boolean;
}

export type Resolution = { kind: "found"; match: RouteMatch } | { kind: "method-not-allowed" } | { kind: "not-found" };

/** Routes like `/v1/private/spans/{id}`; a literal segment wins over a parameter, as in JAX-RS. */
export class HttpRouter {
  private readonly routes: Route[] = [];

  get(pattern: string, handler: RouteHandler): void {
    this.add("GET", pattern, handler, false);
  }

  /** POST endpoints that only read (search, stream, retrieve). */
  query(pattern: string, handler: RouteHandler): void {
    this.add("POST", pattern, handler, false);
  }

  post(pattern: string, handler: RouteHandler): void {
    this.add("POST", pattern, handler, true);
  }

  put(pattern: string, handler: RouteHandler): void {
    this.add("PUT", pattern, handler, true);
  }

  patch(pattern: string, handler: RouteHandler): void {
    this.add("PATCH", pattern, handler, true);
  }

  delete(pattern: string, handler: RouteHandler): void {
    this.add("DELETE", pattern, handler, true);
  }

  private add(method: string, pattern: string, handler: RouteHandler, mutates: boolean): void {
    this.routes.push({ method, segments: pattern.split("/").filter(Boolean), handler, mutates });
  }

  resolve(method: string, path: string): Resolution {
    const segments = path.split("/").filter(Boolean);
    const candidates = this.routes
      .map((route) => ({ route, params: matchSegments(route.segments, segments) }))
      .filter((entry): entry is { route: Route; params: Record<string, string> } => entry.params !== undefined)
      .sort((a, b) => specificity(b.route) - specificity(a.route));
    if (candidates.length === 0) return { kind: "not-found" };
    // JAX-RS picks the most specific path first, then looks for the method on it.
    const bestSpecificity = specificity(candidates[0]?.route ?? { segments: [] });
    const sameTemplate = candidates.filter((entry) => specificity(entry.route) === bestSpecificity);
    const chosen = sameTemplate.find((entry) => entry.route.method === method);
    if (!chosen) return { kind: "method-not-allowed" };
    return { kind: "found", match: { handler: chosen.route.handler, params: chosen.params, mutates: chosen.route.mutates } };
  }
}

function matchSegments(pattern: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i += 1) {
    const expected = pattern[i] ?? "";
    const segment = actual[i] ?? "";
    if (expected.startsWith("{") && expected.endsWith("}")) params[expected.slice(1, -1)] = decodeURIComponent(segment);
    else if (expected !== segment) return undefined;
  }
  return params;
}

/** Earlier literal segments weigh more: `/datasets/items/{itemId}` beats `/datasets/{id}/items`. */
function specificity(route: { segments: readonly string[] }): number {
  return route.segments.reduce((score, segment, index) => (segment.startsWith("{") ? score : score + 2 ** (16 - index)), 0);
}

/** A `UUID` path parameter that does not parse makes Jersey answer 404, not 400. */
export function pathUuid(request: RouteRequest, name: string): string {
  const value = request.params[name];
  if (!isUuid(value)) throw routeNotFound();
  return value.toLowerCase();
}
