import {
  Violations,
  optArray,
  optBoolean,
  optEnum,
  optInstant,
  optJsonListString,
  optString,
  optStringSet,
  optUsage,
  optUuid,
  requireBody,
} from "../body-reader.js";
import { codeError } from "../errors.js";
import { spanFilterFields } from "../filter-fields.js";
import { matchesAll, parseFilters } from "../filters.js";
import { type HttpRouter, pathUuid } from "../http-router.js";
import { paginate, queryBoolean, queryUuid, streamLimit, streamPage } from "../paging.js";
import { ENTITY_SOURCES, SPAN_TYPES, type SpanType, type StoredSpan, newestFirst } from "../store.js";
import { BODY_TRUNCATE_DEFAULT, SPAN_EXCLUDABLE, excludeFromBody, excludeFromQuery } from "../truncate.js";
import { renderSpan } from "../views.js";
import {
  type RouteContext,
  checkProjectName,
  creationWindow,
  findProjectForRead,
  noContent,
  ok,
  projectForRead,
  readErrorInfo,
  requireProjectIdentifier,
  touched,
} from "./common.js";
import { checkSpanIds, dropUndefined, parseSpanWrite, readCost, readSpanType, saveSpan } from "./ingest.js";

export function registerSpanRoutes(router: HttpRouter, { store }: RouteContext): void {
  const fields = spanFilterFields(store);

  router.post("/v1/private/spans/batch", (request) => {
    const body = requireBody(request.body);
    const rows = optArray(body, "spans");
    const violations = new Violations();
    if (rows === undefined) violations.add("spans", "must not be null");
    else if (rows.length < 1 || rows.length > 1000) violations.add("spans", "size must be between 1 and 1000");
    const parsed = (rows ?? []).map((row, index) => parseSpanWrite(row, violations, `spans[${index}]`));
    violations.throwIfAny();
    checkSpanIds(parsed);
    for (const span of parsed) saveSpan(store, span);
    return noContent();
  });

  router.patch("/v1/private/spans/{id}", (request) => {
    const id = pathUuid(request, "id");
    const body = requireBody(request.body);
    const violations = new Violations();
    const traceId = optUuid(body, "trace_id");
    if (traceId === undefined) violations.add("traceId", "must not be null");
    checkProjectName(violations, "projectName", optString(body, "project_name"));
    const update = {
      parent_span_id: optUuid(body, "parent_span_id"),
      name: optString(body, "name"),
      type: readSpanType(body, violations, ""),
      end_time: optInstant(body, "end_time"),
      input: optJsonListString(body, "input"),
      output: optJsonListString(body, "output"),
      metadata: optJsonListString(body, "metadata"),
      model: optString(body, "model"),
      provider: optString(body, "provider"),
      tags: optStringSet(body, "tags"),
      usage: optUsage(body, "usage"),
      total_estimated_cost: readCost(body, violations, ""),
      error_info: readErrorInfo(body, "error_info", violations, "errorInfo"),
      source: optEnum(body, "source", ENTITY_SOURCES),
      environment: optString(body, "environment"),
    };
    violations.throwIfAny();
    const span = store.spans.get(id);
    if (!span) throw codeError(404, "Span not found");
    store.putSpan(touched({ ...span, ...dropUndefined(update) }));
    return noContent();
  });

  router.get("/v1/private/spans/{id}", (request) => {
    const span = store.spans.get(pathUuid(request, "id"));
    if (!span) throw codeError(404, "Span not found");
    return ok(renderSpan(store, span, { truncate: false, exclude: new Set() }));
  });

  // The backend declares span deletion but answers a bare 501.
  router.delete("/v1/private/spans/{id}", () => ({ status: 501 }));

  router.query("/v1/private/spans/search", (request) => {
    const body = requireBody(request.body);
    const projectName = optString(body, "project_name");
    const projectId = optUuid(body, "project_id");
    const traceId = optUuid(body, "trace_id");
    const type = optEnum(body, "type", SPAN_TYPES);
    const limit = streamLimit(body.limit, "limit");
    const lastRetrievedId = optUuid(body, "last_retrieved_id");
    const truncate = optBoolean(body, "truncate") ?? BODY_TRUNCATE_DEFAULT;
    const exclude = excludeFromBody(body.exclude, SPAN_EXCLUDABLE);
    requireProjectIdentifier(projectName, projectId);
    const filters = parseFilters(body.filters, fields, { kind: "body" });
    const window = creationWindow(optString(body, "from_time"), optString(body, "to_time"));
    // SpanService.search resolves the project inside the streamed Flux; the Streamer ends the
    // stream on that NotFoundException without writing a row: an unknown project is an empty 200.
    const project = findProjectForRead(store, projectName, projectId);
    if (!project) return { status: 200, ndjson: [] };
    const rows = selectSpans(project.id, traceId, type, window, (span) => matchesAll(span, filters, fields));
    return { status: 200, ndjson: streamPage(rows, lastRetrievedId, limit).map((span) => renderSpan(store, span, { truncate, exclude })) };
  });

  router.get("/v1/private/spans", (request) => {
    const project = projectForRead(store, request.query.project_name, queryUuid(request, "project_id"));
    const traceId = queryUuid(request, "trace_id");
    const rawType = request.query.type;
    if (rawType !== undefined && rawType !== "" && !(SPAN_TYPES as readonly string[]).includes(rawType)) throw codeError(404, "HTTP 404 Not Found");
    const type = rawType ? (rawType as SpanType) : undefined;
    const filters = parseFilters(request.query.filters, fields, { kind: "query", raw: request.query.filters ?? "" });
    const truncate = queryBoolean(request, "truncate", false);
    const exclude = excludeFromQuery(request.query.exclude, SPAN_EXCLUDABLE);
    const window = creationWindow(request.query.from_time, request.query.to_time);
    const rows = selectSpans(project.id, traceId, type, window, (span) => matchesAll(span, filters, fields));
    return ok(paginate(rows, request, (span) => renderSpan(store, span, { truncate, exclude })));
  });

  function selectSpans(
    projectId: string,
    traceId: string | undefined,
    type: SpanType | undefined,
    window: ((id: string) => boolean) | undefined,
    keep: (span: StoredSpan) => boolean,
  ): StoredSpan[] {
    const candidates = traceId === undefined ? store.spans.values() : store.spansOfTrace(traceId);
    return newestFirst(
      [...candidates].filter(
        (span) => span.project_id === projectId && (type === undefined || span.type === type) && (window?.(span.id) ?? true) && keep(span),
      ),
    );
  }
}
