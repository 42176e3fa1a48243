import { Violations, optArray, optBoolean, optEnum, optInstant, optJsonListString, optString, optStringSet, optUuid, requireBody } from "../body-reader.js";
import { codeError } from "../errors.js";
import { traceFilterFields } from "../filter-fields.js";
import { matchesAll, parseFilters } from "../filters.js";
import { type HttpRouter, pathUuid } from "../http-router.js";
import { paginate, queryBoolean, queryUuid, streamLimit, streamPage } from "../paging.js";
import { ENTITY_SOURCES, type StoredTrace, newestFirst } from "../store.js";
import { BODY_TRUNCATE_DEFAULT, TRACE_EXCLUDABLE, excludeFromBody, excludeFromQuery } from "../truncate.js";
import { renderTrace } from "../views.js";
import {
  type RouteContext,
  checkProjectName,
  creationWindow,
  noContent,
  ok,
  projectForRead,
  readErrorInfo,
  requireProjectIdentifier,
  touched,
} from "./common.js";
import { readBatchDelete } from "./batch-delete.js";
import { checkTraceIds, dropUndefined, parseTraceWrite, saveTrace } from "./ingest.js";

export function registerTraceRoutes(router: HttpRouter, { store }: RouteContext): void {
  const fields = traceFilterFields(store);

  router.post("/v1/private/traces/batch", (request) => {
    const body = requireBody(request.body);
    const rows = optArray(body, "traces");
    const violations = new Violations();
    if (rows === undefined) violations.add("traces", "must not be null");
    else if (rows.length < 1 || rows.length > 1000) violations.add("traces", "size must be between 1 and 1000");
    const parsed = (rows ?? []).map((row, index) => parseTraceWrite(row, violations, `traces[${index}]`));
    violations.throwIfAny();
    checkTraceIds(parsed);
    for (const trace of parsed) saveTrace(store, trace);
    return noContent();
  });

  router.patch("/v1/private/traces/{id}", (request) => {
    const id = pathUuid(request, "id");
    const body = requireBody(request.body);
    const violations = new Violations();
    checkProjectName(violations, "projectName", optString(body, "project_name"));
    const update = {
      name: optString(body, "name"),
      end_time: optInstant(body, "end_time"),
      input: optJsonListString(body, "input"),
      output: optJsonListString(body, "output"),
      metadata: optJsonListString(body, "metadata"),
      tags: optStringSet(body, "tags"),
      error_info: readErrorInfo(body, "error_info", violations, "errorInfo"),
      thread_id: optString(body, "thread_id"),
      source: optEnum(body, "source", ENTITY_SOURCES),
      environment: optString(body, "environment"),
    };
    violations.throwIfAny();
    const trace = store.traces.get(id);
    if (!trace) throw codeError(404, "Trace not found");
    store.traces.set(id, touched({ ...trace, ...dropUndefined(update) }));
    return noContent();
  });

  router.get("/v1/private/traces/{id}", (request) => {
    const trace = store.traces.get(pathUuid(request, "id"));
    if (!trace) throw codeError(404, "Trace not found");
    return ok(renderTrace(store, trace, { truncate: false, exclude: new Set() }));
  });

  router.delete("/v1/private/traces/{id}", (request) => {
    store.deleteTrace(pathUuid(request, "id"));
    return noContent();
  });

  router.post("/v1/private/traces/delete", (request) => {
    for (const id of readBatchDelete(request.body, "ids")) store.deleteTrace(id);
    return noContent();
  });

  router.query("/v1/private/traces/search", (request) => {
    const body = requireBody(request.body);
    const projectName = optString(body, "project_name");
    const projectId = optUuid(body, "project_id");
    const limit = streamLimit(body.limit, "limit");
    const lastRetrievedId = optUuid(body, "last_retrieved_id");
    const truncate = optBoolean(body, "truncate") ?? BODY_TRUNCATE_DEFAULT;
    const exclude = excludeFromBody(body.exclude, TRACE_EXCLUDABLE);
    requireProjectIdentifier(projectName, projectId);
    const window = creationWindow(optString(body, "from_time"), optString(body, "to_time"));
    const filters = parseFilters(body.filters, fields, { kind: "body" });
    // Unlike spans, the trace search resolves its project (blocking) before it starts streaming: a real 404.
    const project = projectForRead(store, projectName, projectId);
    const rows = selectTraces(project.id, window, (trace) => matchesAll(trace, filters, fields));
    return { status: 200, ndjson: streamPage(rows, lastRetrievedId, limit).map((trace) => renderTrace(store, trace, { truncate, exclude })) };
  });

  router.get("/v1/private/traces", (request) => {
    const project = projectForRead(store, request.query.project_name, queryUuid(request, "project_id"));
    const filters = parseFilters(request.query.filters, fields, { kind: "query", raw: request.query.filters ?? "" });
    const truncate = queryBoolean(request, "truncate", false);
    const exclude = excludeFromQuery(request.query.exclude, TRACE_EXCLUDABLE);
    const window = creationWindow(request.query.from_time, request.query.to_time);
    const rows = selectTraces(project.id, window, (trace) => matchesAll(trace, filters, fields));
    return ok(paginate(rows, request, (trace) => renderTrace(store, trace, { truncate, exclude })));
  });

  function selectTraces(projectId: string, window: ((id: string) => boolean) | undefined, keep: (trace: StoredTrace) => boolean): StoredTrace[] {
    return newestFirst([...store.traces.values()].filter((trace) => trace.project_id === projectId && (window?.(trace.id) ?? true) && keep(trace)));
  }
}
