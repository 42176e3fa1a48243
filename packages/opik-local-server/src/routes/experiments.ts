import {
  Violations,
  isBlank,
  optArray,
  optBoolean,
  optEnum,
  optJsonListString,
  optNumber,
  optObject,
  optString,
  optStringSet,
  optUuid,
  requireBody,
} from "../body-reader.js";
import { badRequest, codeError, unprocessableJson } from "../errors.js";
import { type HttpRouter, pathUuid } from "../http-router.js";
import { type JsonObject, type JsonValue, isJsonObject } from "../json.js";
import { paginate, queryUuid, streamLimit, streamPage } from "../paging.js";
import {
  EVALUATION_METHODS,
  EXPERIMENT_STATUSES,
  EXPERIMENT_TYPES,
  type OpikStore,
  type StoredExperiment,
  type StoredExperimentItem,
  newestFirst,
} from "../store.js";
import { compareIds, createUuidV7, isUuid } from "../uuid-v7.js";
import { containsLike } from "../like.js";
import { BODY_TRUNCATE_DEFAULT } from "../truncate.js";
import { renderExperiment, renderExperimentItem, renderExperimentItemWithTrace } from "../views.js";
import { readBatchDelete } from "./batch-delete.js";
import { type RouteContext, NOT_BLANK_PATTERN_MESSAGE, audit, created, noContent, ok, projectForWrite, requireV7, touched } from "./common.js";
import { datasetByNameOrCreate } from "./datasets.js";
import { readScore, scoreNames, upsertScore } from "./feedback-scores.js";
import { checkSpanIds, checkTraceIds, dropUndefined, parseSpanWrite, parseTraceWrite, saveSpan, saveTrace } from "./ingest.js";

const experimentNotFound = () => codeError(404, "Experiment not found");

function readScores(body: JsonObject, key: string, violations: Violations): { name: string; value: number }[] | undefined {
  const rows = optArray(body, key);
  return rows?.map((row, index) => {
    if (!isJsonObject(row)) throw unprocessableJson();
    const name = optString(row, "name");
    const value = optNumber(row, "value");
    if (isBlank(name)) violations.add(`${key}[${index}].name`, "must not be blank");
    if (value === undefined) violations.add(`${key}[${index}].value`, "must not be null");
    return { name: name ?? "", value: value ?? 0 };
  });
}

function readPromptVersions(body: JsonObject): { id: string }[] | undefined {
  const single = optObject(body, "prompt_version");
  const list = optArray(body, "prompt_versions");
  const links = [...(single ? [single] : []), ...(list ?? [])].map((link) => {
    if (!isJsonObject(link) || !isUuid(link.id)) throw unprocessableJson();
    return { id: link.id.toLowerCase() };
  });
  return links.length > 0 ? links : undefined;
}

let experimentCounter = 0;

/** The backend names unnamed experiments itself. */
function generatedName(): string {
  experimentCounter += 1;
  return `experiment-${Date.now().toString(36)}-${experimentCounter}`;
}

export function createExperimentRecord(
  store: OpikStore,
  fields: { id?: string; name?: string; datasetName: string; projectName?: string } & Partial<
    Pick<
      StoredExperiment,
      "metadata" | "type" | "status" | "optimization_id" | "experiment_scores" | "prompt_versions" | "dataset_version_id" | "evaluation_method" | "tags"
    >
  >,
): StoredExperiment {
  if (fields.id !== undefined && store.experiments.has(fields.id)) throw codeError(409, "Experiment already exists");
  const { id, name, datasetName, projectName, ...rest } = fields;
  const dataset = datasetByNameOrCreate(store, datasetName, projectName);
  const projectId = isBlank(projectName) ? dataset.project_id : projectForWrite(store, projectName).id;
  const latestVersion = store.versionsOfDataset(dataset.id)[0];
  const experiment: StoredExperiment = {
    type: "regular",
    ...rest,
    id: id ?? createUuidV7(),
    name: isBlank(name) ? generatedName() : (name ?? ""),
    dataset_id: dataset.id,
    ...(projectId !== undefined ? { project_id: projectId } : {}),
    // Unless told otherwise, an experiment is linked to the dataset's latest version.
    ...(fields.dataset_version_id === undefined && latestVersion ? { dataset_version_id: latestVersion.id } : {}),
    ...audit(),
  };
  store.experiments.set(experiment.id, experiment);
  return experiment;
}

export function registerExperimentRoutes(router: HttpRouter, { store }: RouteContext): void {
  const experimentById = (id: string) => {
    const experiment = store.experiments.get(id);
    if (!experiment) throw experimentNotFound();
    return experiment;
  };

  router.post("/v1/private/experiments", (request) => {
    const body = requireBody(request.body);
    const violations = new Violations();
    const id = optUuid(body, "id");
    const datasetName = optString(body, "dataset_name");
    if (isBlank(datasetName)) violations.add("datasetName", "must not be blank");
    const fields = {
      name: optString(body, "name"),
      metadata: optJsonListString(body, "metadata"),
      type: optEnum(body, "type", EXPERIMENT_TYPES),
      status: optEnum(body, "status", EXPERIMENT_STATUSES),
      optimization_id: optUuid(body, "optimization_id"),
      experiment_scores: readScores(body, "experiment_scores", violations),
      prompt_versions: readPromptVersions(body),
      dataset_version_id: optUuid(body, "dataset_version_id"),
      evaluation_method: optEnum(body, "evaluation_method", EVALUATION_METHODS),
      tags: optStringSet(body, "tags"),
    };
    violations.throwIfAny();
    requireV7(id, "Experiment");
    const projectName = optString(body, "project_name");
    const experiment = createExperimentRecord(store, {
      ...dropUndefined(fields),
      ...(id !== undefined ? { id } : {}),
      datasetName: datasetName ?? "",
      ...(projectName !== undefined ? { projectName } : {}),
    });
    return created(request, `/v1/private/experiments/${experiment.id}`);
  });

  router.get("/v1/private/experiments", (request) => {
    const name = request.query.name;
    // The backend's parameter is camelCase `datasetId` (unlike its neighbours); `dataset_id` is ignored.
    // UUID parameters that do not parse make Jersey answer 404.
    const datasetId = queryUuid(request, "datasetId");
    const projectId = queryUuid(request, "project_id");
    const optimizationId = queryUuid(request, "optimization_id");
    const types = parseTypes(request.query.types);
    const rows = newestFirst(
      [...store.experiments.values()].filter(
        (e) =>
          (!name || containsLike(e.name, name)) &&
          (!datasetId || e.dataset_id === datasetId) &&
          (!projectId || e.project_id === projectId) &&
          (!optimizationId || e.optimization_id === optimizationId) &&
          (!types || types.includes(e.type)),
      ),
    );
    return ok(paginate(rows, request, (experiment) => renderExperiment(store, experiment)));
  });

  router.get("/v1/private/experiments/{id}", (request) => ok(renderExperiment(store, experimentById(pathUuid(request, "id")))));

  router.patch("/v1/private/experiments/{id}", (request) => {
    const id = pathUuid(request, "id");
    const body = requireBody(request.body);
    const violations = new Violations();
    const name = optString(body, "name");
    if (name !== undefined && name.trim() === "") violations.add("name", NOT_BLANK_PATTERN_MESSAGE);
    const update = {
      name,
      metadata: optJsonListString(body, "metadata"),
      type: optEnum(body, "type", EXPERIMENT_TYPES),
      status: optEnum(body, "status", EXPERIMENT_STATUSES),
      experiment_scores: readScores(body, "experiment_scores", violations),
    };
    violations.throwIfAny();
    const experiment = experimentById(id);
    store.experiments.set(id, touched({ ...experiment, ...dropUndefined(update) }));
    return noContent();
  });

  router.post("/v1/private/experiments/delete", (request) => {
    for (const id of readBatchDelete(request.body, "ids")) {
      store.experiments.delete(id);
      for (const item of store.itemsOfExperiment(id)) store.experimentItems.delete(item.id);
    }
    return noContent();
  });

  router.query("/v1/private/experiments/stream", (request) => {
    const body = requireBody(request.body);
    const name = optString(body, "name");
    const violations = new Violations();
    if (isBlank(name)) violations.add("name", "must not be blank");
    violations.throwIfAny();
    const limit = streamLimit(body.limit, "limit");
    const rows = newestFirst([...store.experiments.values()].filter((e) => e.name === name));
    return { status: 200, ndjson: streamPage(rows, optUuid(body, "last_retrieved_id"), limit).map((e) => renderExperiment(store, e)) };
  });

  router.post("/v1/private/experiments/items", (request) => {
    const body = requireBody(request.body);
    const rows = optArray(body, "experiment_items");
    const violations = new Violations();
    if (rows === undefined) violations.add("experimentItems", "must not be null");
    else if (rows.length < 1 || rows.length > 1000) violations.add("experimentItems", "size must be between 1 and 1000");
    const parsed = (rows ?? []).map((row, index) => {
      if (!isJsonObject(row)) throw unprocessableJson();
      const path = `experimentItems[${index}]`;
      const item = {
        id: optUuid(row, "id"),
        experiment_id: optUuid(row, "experiment_id"),
        dataset_item_id: optUuid(row, "dataset_item_id"),
        trace_id: optUuid(row, "trace_id"),
        project_name: optString(row, "project_name"),
      };
      if (item.experiment_id === undefined) violations.add(`${path}.experimentId`, "must not be null");
      if (item.dataset_item_id === undefined) violations.add(`${path}.datasetItemId`, "must not be null");
      if (item.trace_id === undefined) violations.add(`${path}.traceId`, "must not be null");
      return item;
    });
    violations.throwIfAny();
    for (const item of parsed) {
      requireV7(item.id, "experiment_item");
      if (!store.experiments.has(item.experiment_id ?? "")) {
        throw codeError(409, "Upserting experiment item with 'experiment_id' not belonging to the workspace");
      }
      if (!store.datasetItems.has(item.dataset_item_id ?? "")) {
        throw codeError(409, "Upserting experiment item with 'dataset_item_id' not belonging to the workspace");
      }
    }
    for (const item of parsed) {
      saveExperimentItem(store, {
        id: item.id ?? createUuidV7(),
        experiment_id: item.experiment_id ?? "",
        dataset_item_id: item.dataset_item_id ?? "",
        trace_id: item.trace_id ?? "",
        ...(item.project_name !== undefined ? { project_id: projectForWrite(store, item.project_name).id } : {}),
      });
    }
    return noContent();
  });

  router.post("/v1/private/experiments/items/delete", (request) => {
    for (const id of readBatchDelete(request.body, "ids")) store.experimentItems.delete(id);
    return noContent();
  });

  router.get("/v1/private/experiments/items/{id}", (request) => {
    const item = store.experimentItems.get(pathUuid(request, "id"));
    if (!item) throw codeError(404, "Experiment item not found");
    return ok(renderExperimentItem(item));
  });

  router.query("/v1/private/experiments/items/stream", (request) => {
    const body = requireBody(request.body);
    const name = optString(body, "experiment_name");
    const violations = new Violations();
    if (isBlank(name)) violations.add("experimentName", "must not be blank");
    const projectName = optString(body, "project_name");
    if (projectName !== undefined && projectName.trim() === "") violations.add("projectName", "must not be blank");
    violations.throwIfAny();
    const limit = streamLimit(body.limit, "limit");
    const truncate = optBoolean(body, "truncate") ?? BODY_TRUNCATE_DEFAULT;
    // Every experiment carrying that name contributes, as the backend resolves names to ids first.
    const experimentIds = new Set([...store.experiments.values()].filter((e) => e.name === name).map((e) => e.id));
    const rows = newestFirst([...store.experimentItems.values()].filter((item) => experimentIds.has(item.experiment_id)));
    // ExperimentItemDAO.STREAM picks the page by `id < :lastRetrievedId ORDER BY id DESC LIMIT :limit`,
    // but orders what it sends only by `ei.experiment_id DESC`: with several experiments of that name
    // the last row of a page is not the page's oldest id. (Within one experiment ClickHouse leaves
    // the order open; id descending is kept here.)
    const page = [...streamPage(rows, optUuid(body, "last_retrieved_id"), limit)].sort((a, b) => compareIds(b.experiment_id, a.experiment_id));
    return {
      status: 200,
      ndjson: page.map((item) => renderExperimentItemWithTrace(store, item, { truncate, exclude: new Set() })),
    };
  });

  router.put("/v1/private/experiments/items/bulk", (request) => {
    const body = requireBody(request.body);
    const violations = new Violations();
    const experimentName = optString(body, "experiment_name");
    const datasetName = optString(body, "dataset_name");
    const experimentId = optUuid(body, "experiment_id");
    const rows = optArray(body, "items");
    if (isBlank(experimentName)) violations.add("experimentName", "must not be blank");
    if (isBlank(datasetName)) violations.add("datasetName", "must not be blank");
    if (rows === undefined) violations.add("items", "must not be null");
    else if (rows.length < 1 || rows.length > 250) violations.add("items", "size must be between 1 and 250");
    const parsed = (rows ?? []).map((row, index) => readBulkRecord(row, violations, `items[${index}]`));
    violations.throwIfAny();
    checkTraceIds(parsed.flatMap((record) => (record.trace ? [record.trace] : [])));
    checkSpanIds(parsed.flatMap((record) => record.spans));
    requireV7(experimentId, "Experiment");

    let experiment = experimentId === undefined ? undefined : store.experiments.get(experimentId);
    const dataset = datasetByNameOrCreate(store, datasetName ?? "", undefined);
    if (experiment && experiment.dataset_id !== dataset.id) throw codeError(409, "Experiment dataset mismatch");
    experiment ??= createExperimentRecord(store, {
      ...(experimentId !== undefined ? { id: experimentId } : {}),
      name: experimentName ?? "",
      datasetName: dataset.name,
    });
    const projectName = experiment.project_id ? store.projects.get(experiment.project_id)?.name : undefined;

    for (const record of parsed) {
      const datasetItem = store.datasetItems.get(record.datasetItemId);
      const trace = record.trace
        ? saveTrace(store, record.trace, projectName)
        : saveTrace(
            store,
            {
              id: undefined,
              project_name: projectName,
              name: "evaluation_task",
              start_time: new Date().toISOString(),
              end_time: new Date().toISOString(),
              input: datasetItem?.data,
              output: record.taskResult,
              metadata: undefined,
              tags: undefined,
              error_info: undefined,
              thread_id: undefined,
              source: undefined,
              environment: undefined,
            },
            projectName,
          );
      for (const span of record.spans) saveSpan(store, { ...span, trace_id: trace.id }, store.projects.get(trace.project_id)?.name);
      for (const score of record.scores) upsertScore(store, "trace", trace.id, trace.project_id, score);
      saveExperimentItem(store, { id: createUuidV7(), experiment_id: experiment.id, dataset_item_id: record.datasetItemId, trace_id: trace.id });
    }
    return noContent();
  });

  router.get("/v1/private/experiments/feedback-scores/names", (request) => {
    let ids: string[] | undefined;
    const raw = request.query.experiment_ids;
    if (raw !== undefined && raw !== "") {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (!Array.isArray(parsed) || !parsed.every(isUuid)) throw new Error("not a UUID list");
        ids = parsed.map((id) => id.toLowerCase());
      } catch {
        throw badRequest(`Invalid query param experiment_ids: '${raw}'`);
      }
    }
    const names = new Set<string>();
    for (const item of store.experimentItems.values()) {
      if (ids && !ids.includes(item.experiment_id)) continue;
      for (const score of store.scoresOf("trace", item.trace_id)) names.add(score.name);
    }
    return ok(scoreNames(names));
  });
}

function saveExperimentItem(store: OpikStore, fields: Omit<StoredExperimentItem, "created_at" | "created_by" | "last_updated_at" | "last_updated_by">): void {
  const previous = store.experimentItems.get(fields.id);
  store.experimentItems.set(fields.id, { ...audit(), ...(previous ? { created_at: previous.created_at, created_by: previous.created_by } : {}), ...fields });
}

function readBulkRecord(row: JsonValue, violations: Violations, path: string) {
  if (!isJsonObject(row)) throw unprocessableJson();
  const datasetItemId = optUuid(row, "dataset_item_id");
  if (datasetItemId === undefined) violations.add(`${path}.datasetItemId`, "must not be null");
  const traceRow = optObject(row, "trace");
  const trace = traceRow ? parseTraceWrite(traceRow, violations, `${path}.trace`) : undefined;
  const spanRows = optArray(row, "spans") ?? [];
  const scoreRows = optArray(row, "feedback_scores") ?? [];
  if (spanRows.length > 100) violations.add(`${path}.spans`, "size must be between 0 and 100");
  if (scoreRows.length > 100) violations.add(`${path}.feedbackScores`, "size must be between 0 and 100");
  // Spans belong to the record's trace; one not yet known gets its id when the trace is stored.
  const placeholderTrace = trace?.id ?? "00000000-0000-7000-8000-000000000000";
  const spans = spanRows.map((span, index) => parseSpanWrite(span, violations, `${path}.spans[${index}]`, placeholderTrace));
  const scores = scoreRows.map((score, index) => {
    if (!isJsonObject(score)) throw unprocessableJson();
    return readScore(score, violations, `${path}.feedbackScores[${index}]`);
  });
  return { datasetItemId: datasetItemId ?? "", trace, taskResult: optJsonListString(row, "evaluate_task_result"), spans, scores };
}

function parseTypes(raw: string | undefined): string[] | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (Array.isArray(parsed) && parsed.every((t): t is string => typeof t === "string")) return parsed;
  } catch {
    // fall through to the error below
  }
  throw badRequest(`Invalid query param types: '${raw}'`);
}
