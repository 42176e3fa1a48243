import { Violations, isBlank, optArray, optBoolean, optEnum, optObject, optString, optStringSet, optUuid, requireBody } from "../body-reader.js";
import { badRequest, listError, unprocessableJson } from "../errors.js";
import { type HttpRouter, pathUuid } from "../http-router.js";
import { type JsonObject, cloneJson, isJsonObject } from "../json.js";
import { queryBoolean } from "../paging.js";
import { DATASET_ITEM_SOURCES, type OpikStore, type StoredDatasetItem, type StoredDatasetVersion } from "../store.js";
import { createUuidV7, isUuid } from "../uuid-v7.js";
import { renderVersion } from "../views.js";
import { type RouteContext, audit, noContent, touched } from "./common.js";
import { recordVersion } from "./datasets.js";
import { readEvaluators, readExecutionPolicy } from "./suite-fields.js";

/**
 * The versioned change sets of test suites: `POST /datasets/{id}/items/changes` (what the SDK sends
 * to set a suite's assertions and execution policy, and the UI's edits) and `PATCH /datasets/items/batch`
 * (the SDK's per-item assertion and policy updates).
 */

const CONFLICT = "Version conflict: baseVersion is not the latest. Use override=true to force creation.";

interface ItemEdit {
  id: string;
  data?: JsonObject;
  tags?: string[];
  evaluators?: StoredDatasetItem["evaluators"];
  execution_policy?: StoredDatasetItem["execution_policy"];
  clear_execution_policy?: boolean;
}

function readStringMap(body: JsonObject, key: string): Record<string, string> | undefined {
  const value = optObject(body, key);
  if (value === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const name of Object.keys(value)) out[name] = optString(value, name) ?? "";
  return out;
}

function readUuidSet(body: JsonObject, key: string): string[] {
  const out = new Set<string>();
  for (const value of optArray(body, key) ?? []) {
    if (!isUuid(value)) throw unprocessableJson();
    out.add(value.toLowerCase());
  }
  return [...out];
}

function readAdded(body: JsonObject, violations: Violations) {
  return (optArray(body, "added_items") ?? []).map((row, index) => {
    if (!isJsonObject(row)) throw unprocessableJson();
    const path = `addedItems[${index}]`;
    const item = {
      source: optEnum(row, "source", DATASET_ITEM_SOURCES),
      data: optObject(row, "data"),
      trace_id: optUuid(row, "trace_id"),
      span_id: optUuid(row, "span_id"),
      tags: optStringSet(row, "tags"),
      description: optString(row, "description"),
      evaluators: readEvaluators(row, "evaluators", violations, path),
      execution_policy: readExecutionPolicy(row, "execution_policy", violations, path),
    };
    if (item.source === undefined) violations.add(`${path}.source`, "must not be null");
    if (item.data === undefined) violations.add(`${path}.data`, "must not be null");
    return item;
  });
}

function readEdits(body: JsonObject, violations: Violations): ItemEdit[] {
  return (optArray(body, "edited_items") ?? []).map((row, index) => {
    if (!isJsonObject(row)) throw unprocessableJson();
    const path = `editedItems[${index}]`;
    const id = optUuid(row, "id");
    if (id === undefined) violations.add(`${path}.id`, "must not be null");
    const edit: ItemEdit = { id: id ?? "" };
    const data = optObject(row, "data");
    const tags = optStringSet(row, "tags");
    const evaluators = readEvaluators(row, "evaluators", violations, path);
    const policy = readExecutionPolicy(row, "execution_policy", violations, path);
    const clear = optBoolean(row, "clear_execution_policy");
    if (data !== undefined) edit.data = data;
    if (tags !== undefined) edit.tags = tags;
    if (evaluators !== undefined) edit.evaluators = evaluators;
    if (policy !== undefined) edit.execution_policy = policy;
    if (clear !== undefined) edit.clear_execution_policy = clear;
    return edit;
  });
}

/** An edit merges `data` member by member and replaces what else it names (DatasetItemEdit). */
function applyEdit(item: StoredDatasetItem, edit: ItemEdit): StoredDatasetItem {
  const next: StoredDatasetItem = touched({
    ...item,
    ...(edit.data !== undefined ? { data: { ...item.data, ...cloneJson(edit.data) } } : {}),
    ...(edit.tags !== undefined ? { tags: edit.tags } : {}),
    ...(edit.evaluators !== undefined ? { evaluators: edit.evaluators } : {}),
    ...(edit.execution_policy !== undefined ? { execution_policy: edit.execution_policy } : {}),
  });
  if (edit.clear_execution_policy) delete next.execution_policy;
  return next;
}

function itemsOf(version: StoredDatasetVersion): StoredDatasetItem[] {
  return version.item_ids.flatMap((id) => {
    const item = version.snapshot[id];
    return item ? [item] : [];
  });
}

/** Makes `items` the dataset's live items: the new version starts from its base, not from whatever is live. */
function replaceItems(store: OpikStore, datasetId: string, items: readonly StoredDatasetItem[]): void {
  const keep = new Set(items.map((item) => item.id));
  for (const item of store.itemsOfDataset(datasetId)) if (!keep.has(item.id)) store.datasetItems.delete(item.id);
  for (const item of items) store.datasetItems.set(item.id, item);
}

export function registerDatasetChangeRoutes(router: HttpRouter, { store }: RouteContext): void {
  router.post("/v1/private/datasets/{id}/items/changes", (request) => {
    const datasetId = pathUuid(request, "id");
    const body = requireBody(request.body);
    const override = queryBoolean(request, "override", false);
    const violations = new Violations();
    const baseVersionId = optUuid(body, "base_version");
    const added = readAdded(body, violations);
    const edits = readEdits(body, violations);
    const deletedIds = readUuidSet(body, "deleted_ids");
    const tags = optArray(body, "tags")?.map((tag, index) => {
      if (typeof tag !== "string") throw unprocessableJson();
      if (isBlank(tag)) violations.add(`tags[${index}].<list element>`, "Tag must not be blank");
      else if (tag.length > 100) violations.add(`tags[${index}].<list element>`, "Each tag must be at most 100 characters");
      return tag;
    });
    const changeDescription = optString(body, "change_description");
    const metadata = readStringMap(body, "metadata");
    const evaluators = readEvaluators(body, "evaluators", violations, "");
    const executionPolicy = readExecutionPolicy(body, "execution_policy", violations, "");
    const clearExecutionPolicy = optBoolean(body, "clear_execution_policy") ?? false;
    violations.throwIfAny();

    const dataset = store.datasets.get(datasetId);
    if (!dataset) throw listError(404, "Dataset not found");
    const versions = store.versionsOfDataset(datasetId);
    let base: StoredDatasetVersion | undefined;
    if (baseVersionId === undefined) {
      // Only the first version may be created without a base, and only as metadata (a suite's assertions and policy).
      if (!override) throw badRequest("baseVersion is required. Use override=true to create the first version without a base.");
      if (versions.length > 0) throw badRequest("baseVersion is required when the dataset already has versions.");
      if (added.length > 0 || edits.length > 0 || deletedIds.length > 0) {
        throw badRequest("addedItems, editedItems, and deletedIds must be empty when baseVersion is null.");
      }
    } else {
      base = versions.find((v) => v.id === baseVersionId);
      if (!base) throw listError(404, "Dataset version not found");
      if (!override && base.id !== versions[0]?.id) throw listError(409, CONFLICT);
    }

    const baseItems = base ? itemsOf(base) : [];
    const byId = new Map(baseItems.map((item) => [item.id, item]));
    const missing = edits.filter((edit) => !byId.has(edit.id)).map((edit) => edit.id);
    if (missing.length > 0) throw listError(404, `Items not found for IDs: [${missing.join(", ")}]`);
    const doomed = new Set(deletedIds.filter((id) => byId.has(id)));
    for (const edit of edits) byId.set(edit.id, applyEdit(byId.get(edit.id) as StoredDatasetItem, edit));
    for (const id of doomed) byId.delete(id);
    // Added items always get new ids: the backend ignores any id they carry.
    for (const item of added) {
      const record: StoredDatasetItem = {
        ...audit(),
        id: createUuidV7(),
        dataset_id: datasetId,
        source: item.source ?? "manual",
        data: cloneJson(item.data ?? {}),
        ...(item.trace_id !== undefined ? { trace_id: item.trace_id } : {}),
        ...(item.span_id !== undefined ? { span_id: item.span_id } : {}),
        ...(item.tags !== undefined ? { tags: item.tags } : {}),
        ...(item.description !== undefined ? { description: item.description } : {}),
        ...(item.evaluators !== undefined ? { evaluators: item.evaluators } : {}),
        ...(item.execution_policy !== undefined ? { execution_policy: item.execution_policy } : {}),
      };
      byId.set(record.id, record);
    }
    replaceItems(store, datasetId, [...byId.values()]);
    store.datasets.set(datasetId, touched(dataset));
    const version = recordVersion(
      store,
      datasetId,
      undefined,
      { added: added.length, modified: edits.length, deleted: doomed.size },
      {
        ...(base !== undefined ? { base } : {}),
        ...(evaluators !== undefined ? { evaluators } : {}),
        ...(executionPolicy !== undefined ? { execution_policy: executionPolicy } : {}),
        clear_execution_policy: clearExecutionPolicy,
        ...(changeDescription !== undefined ? { change_description: changeDescription } : {}),
        ...(tags !== undefined ? { tags } : {}),
        ...(metadata !== undefined ? { metadata } : {}),
      },
    );
    // The backend sets this Location as a plain string: relative, without the base URL.
    return { status: 201, headers: { Location: `/v1/private/datasets/${datasetId}/versions/${version.id}` }, body: renderVersion(version, true) };
  });

  router.patch("/v1/private/datasets/items/batch", (request) => {
    const body = requireBody(request.body);
    const violations = new Violations();
    const ids = body.ids === undefined || body.ids === null ? undefined : readUuidSet(body, "ids");
    const filters = optArray(body, "filters");
    const update = optObject(body, "update");
    const mergeTags = optBoolean(body, "merge_tags") ?? false;
    if (update === undefined) violations.add("update", "must not be null");
    if (ids !== undefined && (ids.length < 1 || ids.length > 1000)) violations.add("ids", "size must be between 1 and 1000");
    const description = update ? optString(update, "description") : undefined;
    const data = update ? optObject(update, "data") : undefined;
    const tags = update ? optStringSet(update, "tags") : undefined;
    const tagsToAdd = update ? optStringSet(update, "tags_to_add") : undefined;
    const tagsToRemove = update ? optStringSet(update, "tags_to_remove") : undefined;
    const evaluators = update ? readEvaluators(update, "evaluators", violations, "update") : undefined;
    const policy = update ? readExecutionPolicy(update, "execution_policy", violations, "update") : undefined;
    const clearPolicy = update ? (optBoolean(update, "clear_execution_policy") ?? false) : false;
    violations.throwIfAny();
    if (ids === undefined && filters === undefined) throw badRequest("Either 'ids' or 'filters' must be provided");
    if (ids === undefined) throw badRequest("Updating dataset items by filters is not supported by this server");

    const perDataset = new Map<string, number>();
    for (const id of ids) {
      const item = store.datasetItems.get(id);
      if (!item) continue;
      let nextTags = tags !== undefined ? (mergeTags ? [...new Set([...(item.tags ?? []), ...tags])] : tags) : item.tags;
      if (tagsToAdd) nextTags = [...new Set([...(nextTags ?? []), ...tagsToAdd])];
      if (tagsToRemove) nextTags = (nextTags ?? []).filter((tag) => !tagsToRemove.includes(tag));
      const next: StoredDatasetItem = touched({
        ...item,
        ...(data !== undefined ? { data: cloneJson(data) } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(nextTags !== undefined ? { tags: nextTags } : {}),
        ...(evaluators !== undefined ? { evaluators } : {}),
        ...(policy !== undefined ? { execution_policy: policy } : {}),
      });
      if (clearPolicy) delete next.execution_policy;
      store.datasetItems.set(id, next);
      perDataset.set(item.dataset_id, (perDataset.get(item.dataset_id) ?? 0) + 1);
    }
    // Like PATCH /datasets/items/{id}: the latest version is mutated in place.
    for (const [datasetId, modified] of perDataset) recordVersion(store, datasetId, undefined, { added: 0, modified, deleted: 0 });
    return noContent();
  });
}
