import { createHash } from "node:crypto";
import { Violations, isBlank, optArray, optEnum, optObject, optString, optStringSet, optUuid, requireBody } from "../body-reader.js";
import { badRequest, codeError, listError, unprocessableJson } from "../errors.js";
import { type HttpRouter, type RouteRequest, pathUuid } from "../http-router.js";
import { type JsonObject, type JsonValue, cloneJson, isJsonObject } from "../json.js";
import { STREAM_MAX_LIMIT, paginate, queryBoolean, queryUuid, streamLimit, streamPage } from "../paging.js";
import {
  DATASET_ITEM_SOURCES,
  DATASET_TYPES,
  type DatasetType,
  type OpikStore,
  type StoredEvaluator,
  type StoredExecutionPolicy,
  type StoredDataset,
  type StoredDatasetItem,
  type StoredDatasetVersion,
  VISIBILITIES,
  newestFirst,
} from "../store.js";
import { createUuidV7 } from "../uuid-v7.js";
import { containsLike } from "../like.js";
import { renderDataset, renderDatasetItem, renderVersion, renderVersionSummary } from "../views.js";
import { type RouteContext, audit, created, noContent, ok, projectForWrite, requireV7, touched } from "./common.js";
import { readBatchDelete } from "./batch-delete.js";
import { readEvaluators, readExecutionPolicy } from "./suite-fields.js";

const DESCRIPTION_PATTERN = /^\s*(\S.*\S|\S)\s*$/s;

const datasetNotFound = () => listError(404, "Dataset not found");

/**
 * Datasets are unique by name (case-insensitively, MySQL collation) within their
 * project; one created without a project is workspace-level and is what a lookup in a
 * project falls back to.
 */
export function findDataset(store: OpikStore, name: string, projectName: string | undefined): StoredDataset | undefined {
  const wanted = name.trim().toLowerCase();
  const named = newestFirst([...store.datasets.values()].filter((d) => d.name.toLowerCase() === wanted));
  const workspaceLevel = named.find((d) => d.project_id === undefined);
  if (isBlank(projectName)) return workspaceLevel ?? named[0];
  const project = store.projectByName((projectName ?? "").trim());
  return (project ? named.find((d) => d.project_id === project.id) : undefined) ?? workspaceLevel;
}

export function createDataset(
  store: OpikStore,
  fields: {
    id?: string;
    name: string;
    projectName?: string;
    description?: string;
    tags?: string[];
    visibility?: "private" | "public";
    type?: DatasetType;
  },
): StoredDataset {
  const projectId = isBlank(fields.projectName) ? undefined : projectForWrite(store, fields.projectName).id;
  const wanted = fields.name.trim().toLowerCase();
  const clash = [...store.datasets.values()].some((d) => d.project_id === projectId && d.name.toLowerCase() === wanted);
  if (clash || (fields.id !== undefined && store.datasets.has(fields.id))) throw listError(409, "Dataset already exists");
  const dataset: StoredDataset = {
    id: fields.id ?? createUuidV7(),
    name: fields.name,
    visibility: fields.visibility ?? "private",
    type: fields.type ?? "dataset",
    ...(projectId !== undefined ? { project_id: projectId } : {}),
    ...(fields.description !== undefined ? { description: fields.description } : {}),
    ...(fields.tags !== undefined ? { tags: fields.tags } : {}),
    ...audit(),
  };
  store.datasets.set(dataset.id, dataset);
  return dataset;
}

/** The backend's get-or-create by name, used when items or experiments name a dataset that does not exist yet. */
export function datasetByNameOrCreate(store: OpikStore, name: string, projectName: string | undefined): StoredDataset {
  return findDataset(store, name, projectName) ?? createDataset(store, { name, ...(projectName !== undefined ? { projectName } : {}) });
}

/** What a version carries besides its items (DatasetItemChanges); given, the write always opens a new version. */
export interface VersionSettings {
  /** The version the change was made on; default the latest. */
  base?: StoredDatasetVersion;
  evaluators?: StoredEvaluator[];
  execution_policy?: StoredExecutionPolicy;
  clear_execution_policy?: boolean;
  change_description?: string;
  tags?: string[];
  metadata?: Record<string, string>;
}

/**
 * Items writes and deletes version the dataset. A write carrying a `batch_group_id` opens a new
 * version, which later writes with the same id extend (one `Dataset.insert()` call, however many
 * chunks it sends, is one version). A write without one "mutates the latest version instead of
 * creating a new one" (DatasetItemBatch / DatasetItemsDelete); only the first write creates v1.
 */
export function recordVersion(
  store: OpikStore,
  datasetId: string,
  batchGroupId: string | undefined,
  change: { added: number; modified: number; deleted: number },
  settings?: VersionSettings,
): StoredDatasetVersion {
  const items = newestFirst(store.itemsOfDataset(datasetId));
  const snapshot: Record<string, StoredDatasetItem> = {};
  for (const item of items) snapshot[item.id] = item;
  const hash = createHash("sha256");
  for (const item of items) {
    hash.update(`${item.id}:${JSON.stringify([item.data, item.description, item.evaluators, item.execution_policy])}\n`);
  }
  const versions = store.versionsOfDataset(datasetId);
  // A new version inherits its base's suite defaults unless it sets them (COALESCE in insertWithBaseVersion).
  const base = settings?.base ?? versions[0];
  const evaluators = settings?.evaluators ?? base?.evaluators;
  const executionPolicy = settings?.clear_execution_policy ? undefined : (settings?.execution_policy ?? base?.execution_policy);
  hash.update(JSON.stringify([evaluators, executionPolicy]));
  const versionHash = hash.digest("hex").slice(0, 32);

  const same = settings ? undefined : batchGroupId === undefined ? versions[0] : versions.find((v) => v.batch_group_id === batchGroupId);
  const version: StoredDatasetVersion = same
    ? touched({
        ...same,
        version_hash: versionHash,
        items_added: same.items_added + change.added,
        items_modified: same.items_modified + change.modified,
        items_deleted: same.items_deleted + change.deleted,
        item_ids: items.map((i) => i.id),
        snapshot,
      })
    : {
        id: createUuidV7(),
        dataset_id: datasetId,
        version_hash: versionHash,
        version_name: `v${versions.length + 1}`,
        ...(batchGroupId !== undefined ? { batch_group_id: batchGroupId } : {}),
        items_added: change.added,
        items_modified: change.modified,
        items_deleted: change.deleted,
        item_ids: items.map((i) => i.id),
        snapshot,
        ...(evaluators !== undefined ? { evaluators } : {}),
        ...(executionPolicy !== undefined ? { execution_policy: executionPolicy } : {}),
        ...(settings?.change_description !== undefined ? { change_description: settings.change_description } : {}),
        ...(settings?.tags !== undefined ? { tags: settings.tags } : {}),
        ...(settings?.metadata !== undefined ? { metadata: settings.metadata } : {}),
        ...audit(),
      };
  store.datasetVersions.set(version.id, version);
  return version;
}

function findVersion(store: OpikStore, datasetId: string, reference: string): StoredDatasetVersion | undefined {
  const versions = store.versionsOfDataset(datasetId);
  if (reference === "latest") return versions[0];
  return versions.find((v) => v.version_hash === reference || v.version_name === reference || v.id === reference);
}

function readDescription(body: JsonObject, violations: Violations): string | undefined {
  const description = optString(body, "description");
  if (description !== undefined) {
    if (description.length > 255) violations.add("description", "size must be between 0 and 255");
    else if (!DESCRIPTION_PATTERN.test(description)) violations.add("description", 'must match "(?s)^\\s*(\\S.*\\S|\\S)\\s*$"');
  }
  return description;
}

/** Column summary of item data, as `DatasetItemPage_Public.columns` lists it. */
function columnsOf(items: readonly StoredDatasetItem[]): { name: string; types: string[]; filter_field_prefix: string }[] {
  const types = new Map<string, Set<string>>();
  for (const item of items) {
    for (const [name, value] of Object.entries(item.data)) {
      const set = types.get(name) ?? new Set<string>();
      set.add(jsonType(value));
      types.set(name, set);
    }
  }
  return [...types].sort(([a], [b]) => a.localeCompare(b)).map(([name, set]) => ({ name, types: [...set].sort(), filter_field_prefix: "data" }));
}

function jsonType(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value === "object" ? "object" : typeof value;
}

export function registerDatasetRoutes(router: HttpRouter, { store }: RouteContext): void {
  const datasetById = (id: string) => {
    const dataset = store.datasets.get(id);
    if (!dataset) throw datasetNotFound();
    return dataset;
  };

  router.post("/v1/private/datasets", (request) => {
    const body = requireBody(request.body);
    const violations = new Violations();
    const id = optUuid(body, "id");
    const name = optString(body, "name");
    const description = readDescription(body, violations);
    const visibility = optEnum(body, "visibility", VISIBILITIES);
    const tags = optStringSet(body, "tags");
    const projectName = optString(body, "project_name");
    const type = optEnum(body, "type", DATASET_TYPES);
    if (isBlank(name)) violations.add("name", "must not be blank");
    violations.throwIfAny();
    requireV7(id, "dataset");
    const dataset = createDataset(store, {
      name: name ?? "",
      ...(id !== undefined ? { id } : {}),
      ...(projectName !== undefined ? { projectName } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(tags !== undefined ? { tags } : {}),
      ...(visibility !== undefined ? { visibility } : {}),
      ...(type !== undefined ? { type } : {}),
    });
    return created(request, `/v1/private/datasets/${dataset.id}`);
  });

  router.get("/v1/private/datasets", (request) => {
    const name = request.query.name;
    const projectId = queryUuid(request, "project_id");
    const withExperimentsOnly = queryBoolean(request, "with_experiments_only", false);
    const rows = newestFirst(
      [...store.datasets.values()].filter(
        (d) =>
          (!name || containsLike(d.name, name)) &&
          (!projectId || d.project_id === projectId) &&
          (!withExperimentsOnly || [...store.experiments.values()].some((e) => e.dataset_id === d.id)),
      ),
    );
    return ok(paginate(rows, request, (dataset) => renderDataset(store, dataset)));
  });

  router.query("/v1/private/datasets/retrieve", (request) => {
    const body = requireBody(request.body);
    const name = optString(body, "dataset_name");
    const violations = new Violations();
    if (isBlank(name)) violations.add("datasetName", "must not be blank");
    violations.throwIfAny();
    const dataset = findDataset(store, name ?? "", optString(body, "project_name"));
    if (!dataset) throw datasetNotFound();
    return ok(renderDataset(store, dataset));
  });

  router.get("/v1/private/datasets/{id}", (request) => ok(renderDataset(store, datasetById(pathUuid(request, "id")))));

  router.put("/v1/private/datasets/{id}", (request) => {
    const id = pathUuid(request, "id");
    const body = requireBody(request.body);
    const violations = new Violations();
    const name = optString(body, "name");
    const description = readDescription(body, violations);
    const visibility = optEnum(body, "visibility", VISIBILITIES);
    const tags = optStringSet(body, "tags");
    if (isBlank(name)) violations.add("name", "must not be blank");
    violations.throwIfAny();
    const dataset = datasetById(id);
    const wanted = (name ?? "").trim().toLowerCase();
    const clash = [...store.datasets.values()].some((d) => d.id !== id && d.project_id === dataset.project_id && d.name.toLowerCase() === wanted);
    if (clash) throw listError(409, "Dataset already exists");
    // The backend's UPDATE clears a description left out of the body but keeps tags and visibility.
    const rest: StoredDataset = { ...dataset };
    delete rest.description;
    store.datasets.set(
      id,
      touched({
        ...rest,
        name: name ?? dataset.name,
        ...(description !== undefined ? { description } : {}),
        ...(tags !== undefined ? { tags } : {}),
        ...(visibility !== undefined ? { visibility } : {}),
      }),
    );
    return noContent();
  });

  router.delete("/v1/private/datasets/{id}", (request) => {
    store.datasets.delete(pathUuid(request, "id"));
    return noContent();
  });

  router.post("/v1/private/datasets/delete", (request) => {
    const body = requireBody(request.body);
    const name = optString(body, "dataset_name");
    const violations = new Violations();
    if (isBlank(name)) violations.add("datasetName", "must not be blank");
    violations.throwIfAny();
    const dataset = findDataset(store, name ?? "", optString(body, "project_name"));
    if (!dataset) throw datasetNotFound();
    store.datasets.delete(dataset.id);
    return noContent();
  });

  router.post("/v1/private/datasets/delete-batch", (request) => {
    for (const id of readBatchDelete(request.body, "ids")) store.datasets.delete(id);
    return noContent();
  });

  router.put("/v1/private/datasets/items", (request) => {
    const body = requireBody(request.body);
    const rows = optArray(body, "items");
    const datasetId = optUuid(body, "dataset_id");
    const datasetName = optString(body, "dataset_name");
    const projectName = optString(body, "project_name");
    const batchGroupId = optUuid(body, "batch_group_id");
    const violations = new Violations();
    if (rows === undefined) violations.add("items", "must not be null");
    else if (rows.length < 1 || rows.length > 1000) violations.add("items", "size must be between 1 and 1000");
    if (datasetId === undefined && isBlank(datasetName)) violations.add("", "The request body must provide either a dataset_name or a dataset_id");
    const parsed = (rows ?? []).map((row, index) => {
      if (!isJsonObject(row)) throw unprocessableJson();
      const path = `items[${index}]`;
      const item = {
        id: optUuid(row, "id"),
        trace_id: optUuid(row, "trace_id"),
        span_id: optUuid(row, "span_id"),
        source: optEnum(row, "source", DATASET_ITEM_SOURCES),
        data: optObject(row, "data"),
        tags: optStringSet(row, "tags"),
        description: optString(row, "description"),
        evaluators: readEvaluators(row, "evaluators", violations, path),
        execution_policy: readExecutionPolicy(row, "execution_policy", violations, path),
      };
      if (item.source === undefined) violations.add(`${path}.source`, "must not be null");
      if (item.data === undefined) violations.add(`${path}.data`, "must not be null");
      return item;
    });
    violations.throwIfAny();
    for (const item of parsed) requireV7(item.id, "dataset_item");

    const dataset = datasetId !== undefined ? datasetById(datasetId) : datasetByNameOrCreate(store, datasetName ?? "", projectName);
    let added = 0;
    let modified = 0;
    for (const item of parsed) {
      const id = item.id ?? createUuidV7();
      const previous = store.datasetItems.get(id);
      if (previous?.dataset_id === dataset.id) modified += 1;
      else added += 1;
      const stamp = audit();
      const record: StoredDatasetItem = {
        ...stamp,
        ...(previous ? { created_at: previous.created_at, created_by: previous.created_by } : {}),
        id,
        dataset_id: dataset.id,
        source: item.source ?? "sdk",
        data: cloneJson(item.data ?? {}),
        ...(item.trace_id !== undefined ? { trace_id: item.trace_id } : {}),
        ...(item.span_id !== undefined ? { span_id: item.span_id } : {}),
        ...(item.tags !== undefined ? { tags: item.tags } : {}),
        ...(item.description !== undefined ? { description: item.description } : {}),
        ...(item.evaluators !== undefined ? { evaluators: item.evaluators } : {}),
        ...(item.execution_policy !== undefined ? { execution_policy: item.execution_policy } : {}),
      };
      store.datasetItems.set(id, record);
    }
    store.datasets.set(dataset.id, touched(dataset));
    const version = recordVersion(store, dataset.id, batchGroupId, { added, modified, deleted: 0 });
    if (queryBoolean(request, "respond_with_latest_version", false)) return ok(renderVersionSummary(version, true));
    return noContent();
  });

  router.query("/v1/private/datasets/items/stream", (request) => {
    const body = requireBody(request.body);
    const name = optString(body, "dataset_name");
    const violations = new Violations();
    if (isBlank(name)) violations.add("datasetName", "must not be blank");
    violations.throwIfAny();
    const limit = streamLimit(body.steam_limit, "steamLimit", STREAM_MAX_LIMIT);
    const lastRetrievedId = optUuid(body, "last_retrieved_id");
    const versionReference = optString(body, "dataset_version");
    const dataset = findDataset(store, name ?? "", optString(body, "project_name"));
    // The lookup fails inside the streamed Flux (or is caught to hide the dataset's existence):
    // an unknown dataset is an empty 200 stream, not a 404.
    if (!dataset) return { status: 200, ndjson: [] };
    // So is an unknown version: the error ends the stream, which the Streamer closes without a row.
    const version = versionReference === undefined ? undefined : findVersion(store, dataset.id, versionReference);
    if (versionReference !== undefined && !version) return { status: 200, ndjson: [] };
    const items = itemsAt(dataset.id, versionReference);
    return { status: 200, ndjson: streamPage(items, lastRetrievedId, limit).map((item) => renderDatasetItem(item)) };
  });

  router.get("/v1/private/datasets/{id}/items", (request) => {
    const dataset = datasetById(pathUuid(request, "id"));
    rejectItemFilters(request);
    const truncate = queryBoolean(request, "truncate", false);
    const items = itemsAt(dataset.id, request.query.version || undefined);
    return ok({
      ...paginate(items, request, (item) => renderDatasetItem(item, { truncate, exclude: new Set() })),
      columns: columnsOf(items),
    });
  });

  router.get("/v1/private/datasets/items/{itemId}", (request) => {
    const item = store.datasetItems.get(pathUuid(request, "itemId"));
    if (!item || !store.datasets.has(item.dataset_id)) throw codeError(404, "Dataset item not found");
    return ok(renderDatasetItem(item));
  });

  router.patch("/v1/private/datasets/items/{itemId}", (request) => {
    const id = pathUuid(request, "itemId");
    const body = requireBody(request.body);
    const data = optObject(body, "data");
    const source = optEnum(body, "source", DATASET_ITEM_SOURCES);
    const tags = optStringSet(body, "tags");
    const item = store.datasetItems.get(id);
    if (!item) throw codeError(404, "Dataset item not found");
    store.datasetItems.set(
      id,
      touched({
        ...item,
        ...(data !== undefined ? { data: cloneJson(data) } : {}),
        ...(source !== undefined ? { source } : {}),
        ...(tags !== undefined ? { tags } : {}),
      }),
    );
    recordVersion(store, item.dataset_id, undefined, { added: 0, modified: 1, deleted: 0 });
    return noContent();
  });

  router.post("/v1/private/datasets/items/delete", (request) => {
    const body = requireBody(request.body);
    const itemIds = body.item_ids;
    const datasetId = optUuid(body, "dataset_id");
    const filters = optArray(body, "filters");
    const batchGroupId = optUuid(body, "batch_group_id");
    if (itemIds !== undefined && itemIds !== null && (datasetId !== undefined || filters !== undefined)) {
      throw badRequest("'item_ids' is mutually exclusive with 'dataset_id' and 'filters'");
    }
    let doomed: StoredDatasetItem[];
    if (itemIds !== undefined && itemIds !== null) {
      doomed = readBatchDelete({ item_ids: itemIds }, "item_ids").flatMap((id) => {
        const item = store.datasetItems.get(id);
        return item ? [item] : [];
      });
    } else {
      if (datasetId === undefined) throw badRequest("Either 'item_ids' or 'dataset_id' must be provided");
      if (filters !== undefined && filters.length > 0) throw badRequest("Deleting dataset items by filters is not supported by this server");
      doomed = store.itemsOfDataset(datasetId);
    }
    const perDataset = new Map<string, number>();
    for (const item of doomed) {
      store.datasetItems.delete(item.id);
      perDataset.set(item.dataset_id, (perDataset.get(item.dataset_id) ?? 0) + 1);
    }
    for (const [id, deleted] of perDataset) if (store.datasets.has(id)) recordVersion(store, id, batchGroupId, { added: 0, modified: 0, deleted });
    return noContent();
  });

  router.get("/v1/private/datasets/{id}/versions", (request) => {
    const dataset = datasetById(pathUuid(request, "id"));
    const versions = store.versionsOfDataset(dataset.id);
    const latestId = versions[0]?.id;
    const page = paginate(versions, request, (v) => renderVersion(v, v.id === latestId));
    return ok({ content: page.content, page: page.page, size: page.size, total: page.total });
  });

  router.query("/v1/private/datasets/{id}/versions/retrieve", (request) => {
    const dataset = datasetById(pathUuid(request, "id"));
    const versionName = optString(requireBody(request.body), "version_name");
    const violations = new Violations();
    if (isBlank(versionName)) violations.add("versionName", "must not be blank");
    violations.throwIfAny();
    const versions = store.versionsOfDataset(dataset.id);
    const version = versions.find((v) => v.version_name === versionName);
    if (!version) throw listError(404, "Dataset version not found");
    return ok(renderVersion(version, version.id === versions[0]?.id));
  });

  function itemsAt(datasetId: string, versionReference: string | undefined): StoredDatasetItem[] {
    if (versionReference === undefined) return newestFirst(store.itemsOfDataset(datasetId));
    const version = findVersion(store, datasetId, versionReference);
    if (!version) throw listError(404, "Dataset version not found");
    return version.item_ids.flatMap((id) => {
      const item = version.snapshot[id];
      return item ? [item] : [];
    });
  }

  function rejectItemFilters(request: RouteRequest): void {
    const raw = request.query.filters;
    if (raw === undefined || raw.trim() === "" || raw.trim() === "[]") return;
    throw badRequest("Dataset item filters are not supported by this server");
  }
}
