import { listError, routeNotFound, validationFailed } from "./errors.js";
import type { RouteRequest } from "./http-router.js";
import { compareIds, isUuid } from "./uuid-v7.js";
import { unprocessableJson } from "./errors.js";

export const STREAM_DEFAULT_LIMIT = 500;
export const STREAM_MAX_LIMIT = 2000;

/** An `int` query parameter: unparsable → Jersey's 404, below its @Min → 400 naming the parameter. */
export function queryInt(request: RouteRequest, name: string, fallback: number, min: number): number {
  const raw = request.query[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^[+-]?\d+$/.test(raw.trim())) throw routeNotFound();
  const value = Number(raw);
  if (value < min) throw listError(400, `query param ${name} must be greater than or equal to ${min}`);
  return value;
}

export function queryBoolean(request: RouteRequest, name: string, fallback: boolean): boolean {
  const raw = request.query[name];
  if (raw === undefined || raw === "") return fallback;
  // Jersey's Boolean.valueOf: anything but "true" (any case) is false.
  return raw.toLowerCase() === "true";
}

export function queryUuid(request: RouteRequest, name: string): string | undefined {
  const raw = request.query[name];
  if (raw === undefined || raw === "") return undefined;
  if (!isUuid(raw)) throw routeNotFound();
  return raw.toLowerCase();
}

export interface Page<T> {
  readonly page: number;
  readonly size: number;
  readonly total: number;
  readonly content: T[];
}

/** `{page, size, total, content}` where `size` is the number of rows actually returned, as the backend reports it. */
export function paginate<T, R>(rows: readonly T[], request: RouteRequest, render: (row: T) => R): Page<R> {
  const page = queryInt(request, "page", 1, 1);
  const size = queryInt(request, "size", 10, 1);
  const content = rows.slice((page - 1) * size, page * size).map(render);
  return { page, size: content.length, total: rows.length, content };
}

/**
 * Stream `limit`/`steam_limit`: default 500 (2000 for dataset items), 1..2000. The bounds are
 * `@Min`/`@Max` on the request record, so a violation is a bean-validation failure of the body:
 * Dropwizard answers 422 with `{"errors": ["limit must be ..."]}`, as for any other body constraint.
 */
export function streamLimit(value: unknown, name: string, fallback: number = STREAM_DEFAULT_LIMIT): number {
  if (value === undefined || value === null) return fallback;
  const limit = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(limit)) throw unprocessableJson();
  if (limit > STREAM_MAX_LIMIT) throw validationFailed([`${name} must be less than or equal to ${STREAM_MAX_LIMIT}`]);
  if (limit < 1) throw validationFailed([`${name} must be greater than or equal to 1`]);
  return limit;
}

/** Newest first, only rows older than `last_retrieved_id`, at most `limit`. */
export function streamPage<T extends { id: string }>(sortedNewestFirst: readonly T[], lastRetrievedId: string | undefined, limit: number): T[] {
  const rows = lastRetrievedId === undefined ? sortedNewestFirst : sortedNewestFirst.filter((row) => compareIds(row.id, lastRetrievedId) < 0);
  return rows.slice(0, limit);
}
