import { Violations, isBlank, optArray, optEnum, optString, optUuid, requireBody } from "../body-reader.js";
import { unprocessableJson } from "../errors.js";
import type { HttpRouter } from "../http-router.js";
import { isJsonObject } from "../json.js";
import { ASSERTION_ENTITIES, ASSERTION_STATUSES, SCORE_SOURCES, type StoredAssertionResult, assertionKey } from "../store.js";
import { isUuid } from "../uuid-v7.js";
import { type RouteContext, audit, checkProjectName, noContent, projectForWrite } from "./common.js";

/**
 * `PUT /v1/private/assertion-results` (AssertionResultBatch): how SDK 2.0.40 records a test suite's
 * assertion verdicts. The pinned OpenAPI description predates it; members and enums follow the SDK's
 * types, bean validation follows the feedback-score batch (1 to 1000 rows, blank names, null enums).
 * The published description does not say how `entity_id` is typed: it is read as a non-blank string
 * (a thread id is not a UUID), lower-cased when it is a UUID so that it joins with trace ids.
 * Like batch scoring, the entities are not looked up: a result lands under the named project.
 */
export function registerAssertionResultRoutes(router: HttpRouter, { store }: RouteContext): void {
  router.put("/v1/private/assertion-results", (request) => {
    const body = requireBody(request.body);
    const entityType = optEnum(body, "entity_type", ASSERTION_ENTITIES);
    const rows = optArray(body, "assertion_results");
    const violations = new Violations();
    if (entityType === undefined) violations.add("entityType", "must not be null");
    if (rows === undefined) violations.add("assertionResults", "must not be null");
    else if (rows.length < 1 || rows.length > 1000) violations.add("assertionResults", "size must be between 1 and 1000");
    const parsed = (rows ?? []).map((row, index) => {
      if (!isJsonObject(row)) throw unprocessableJson();
      const path = `assertionResults[${index}]`;
      const result = {
        entityId: optString(row, "entity_id"),
        projectName: optString(row, "project_name"),
        projectId: optUuid(row, "project_id"),
        name: optString(row, "name"),
        status: optEnum(row, "status", ASSERTION_STATUSES),
        reason: optString(row, "reason"),
        source: optEnum(row, "source", SCORE_SOURCES),
      };
      if (isBlank(result.entityId)) violations.add(`${path}.entityId`, "must not be blank");
      checkProjectName(violations, `${path}.projectName`, result.projectName);
      if (isBlank(result.name)) violations.add(`${path}.name`, "must not be blank");
      if (result.status === undefined) violations.add(`${path}.status`, "must not be null");
      if (result.source === undefined) violations.add(`${path}.source`, "must not be null");
      return result;
    });
    violations.throwIfAny();
    for (const row of parsed) {
      const entityId = isUuid(row.entityId) ? row.entityId.toLowerCase() : (row.entityId ?? "");
      const projectId = row.projectId !== undefined && store.projects.has(row.projectId) ? row.projectId : projectForWrite(store, row.projectName).id;
      const previous = store.assertionResults.get(assertionKey({ entity_type: entityType ?? "TRACE", entity_id: entityId, name: row.name ?? "" }));
      const record: StoredAssertionResult = {
        ...audit(),
        ...(previous ? { created_at: previous.created_at, created_by: previous.created_by } : {}),
        entity_type: entityType ?? "TRACE",
        entity_id: entityId,
        project_id: projectId,
        name: row.name ?? "",
        status: row.status ?? "failed",
        source: row.source ?? "sdk",
        ...(row.reason !== undefined ? { reason: row.reason } : {}),
      };
      store.putAssertionResult(record);
    }
    return noContent();
  });
}
