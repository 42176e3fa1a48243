import { Violations, isBlank, optArray, optEnum, optNumber, optString, optUuid, requireBody } from "../body-reader.js";
import { badRequest, codeError, unprocessableJson } from "../errors.js";
import { type HttpRouter, pathUuid } from "../http-router.js";
import { type JsonObject, isJsonObject } from "../json.js";
import { queryUuid } from "../paging.js";
import { type OpikStore, SCORE_SOURCES, type ScoreSource, type ScoredEntity, type StoredFeedbackScore } from "../store.js";
import { type RouteContext, audit, checkProjectName, noContent, ok, projectForWrite } from "./common.js";

// The Decimal(18, 9) bound, 999999999.999999999, as close as a double gets.
const SCORE_BOUND = 999_999_999.999_999;

export interface ScoreFields {
  name: string | undefined;
  value: number | undefined;
  reason: string | undefined;
  category_name: string | undefined;
  source: ScoreSource | undefined;
}

/** `FeedbackScore` members and their bean constraints, shared by the batch and single-entity bodies. */
export function readScore(row: JsonObject, violations: Violations, path: string): ScoreFields {
  const at = (field: string) => (path ? `${path}.${field}` : field);
  const score = {
    name: optString(row, "name"),
    value: optNumber(row, "value"),
    reason: optString(row, "reason"),
    category_name: optString(row, "category_name"),
    source: optEnum(row, "source", SCORE_SOURCES),
  };
  if (isBlank(score.name)) violations.add(at("name"), "must not be blank");
  if (score.value === undefined) violations.add(at("value"), "must not be null");
  else if (score.value > SCORE_BOUND) violations.add(at("value"), "must be less than or equal to 999999999.999999999");
  else if (score.value < -SCORE_BOUND) violations.add(at("value"), "must be greater than or equal to -999999999.999999999");
  if (score.source === undefined) violations.add(at("source"), "must not be null");
  return score;
}

/** Upsert by (entity, project, name); a rewrite keeps the original creation stamp. */
export function upsertScore(store: OpikStore, entity: ScoredEntity, entityId: string, projectId: string, score: ScoreFields): void {
  const previous = store.scoresOf(entity, entityId).find((s) => s.project_id === projectId && s.name === score.name);
  const stamp = audit();
  const record: StoredFeedbackScore = {
    ...stamp,
    ...(previous ? { created_at: previous.created_at, created_by: previous.created_by } : {}),
    entity_type: entity,
    entity_id: entityId,
    project_id: projectId,
    name: score.name ?? "",
    value: score.value ?? 0,
    source: score.source ?? "sdk",
    ...(score.reason !== undefined ? { reason: score.reason } : {}),
    ...(score.category_name !== undefined ? { category_name: score.category_name } : {}),
  };
  store.putScore(record);
}

/** Score routes of one entity kind: `/traces/...` or `/spans/...`. */
export function registerFeedbackScoreRoutes(router: HttpRouter, { store }: RouteContext, entity: ScoredEntity): void {
  const base = entity === "trace" ? "/v1/private/traces" : "/v1/private/spans";
  const notFoundMessage = entity === "trace" ? "Trace not found" : "Span not found";
  const projectOf = (id: string) => (entity === "trace" ? store.traces.get(id)?.project_id : store.spans.get(id)?.project_id);

  const upsert = (entityId: string, projectId: string, score: ScoreFields): void => upsertScore(store, entity, entityId, projectId, score);

  // Batch scoring does not look the entities up: scores land under the named project (the
  // default one when unnamed), which hides them from an entity living in another project.
  router.put(`${base}/feedback-scores`, (request) => {
    const body = requireBody(request.body);
    const rows = optArray(body, "scores");
    const violations = new Violations();
    if (rows === undefined) violations.add("scores", "must not be null");
    else if (rows.length < 1 || rows.length > 1000) violations.add("scores", "size must be between 1 and 1000");
    const parsed = (rows ?? []).map((row, index) => {
      if (!isJsonObject(row)) throw unprocessableJson();
      const path = `scores[${index}]`;
      const id = optUuid(row, "id");
      const projectName = optString(row, "project_name");
      const projectId = optUuid(row, "project_id");
      if (id === undefined) violations.add(`${path}.id`, "must not be null");
      checkProjectName(violations, `${path}.projectName`, projectName);
      return { id, projectName, projectId, score: readScore(row, violations, path) };
    });
    violations.throwIfAny();
    for (const { id, projectName, projectId, score } of parsed) {
      const project = projectId !== undefined && store.projects.has(projectId) ? projectId : projectForWrite(store, projectName).id;
      upsert(id ?? "", project, score);
    }
    return noContent();
  });

  router.put(`${base}/{id}/feedback-scores`, (request) => {
    const id = pathUuid(request, "id");
    const violations = new Violations();
    const score = readScore(requireBody(request.body), violations, "");
    violations.throwIfAny();
    const projectId = projectOf(id);
    if (projectId === undefined) throw codeError(404, notFoundMessage);
    upsert(id, projectId, score);
    return noContent();
  });

  router.post(`${base}/{id}/feedback-scores/delete`, (request) => {
    const id = pathUuid(request, "id");
    const body = requireBody(request.body);
    const name = optString(body, "name");
    const violations = new Violations();
    if (isBlank(name)) violations.add("name", "must not be blank");
    violations.throwIfAny();
    store.deleteScore(entity, id, name ?? "");
    return noContent();
  });

  router.get(`${base}/feedback-scores/names`, (request) => {
    const projectId = queryUuid(request, "project_id");
    if (projectId === undefined) throw badRequest("project_id must be provided");
    const names = new Set<string>();
    for (const score of store.feedbackScores.values()) {
      if (score.entity_type === entity && score.project_id === projectId) names.add(score.name);
    }
    return ok(scoreNames(names));
  });
}

/**
 * `FeedbackScoreNames`, which SDK 2.0.40 (generated from the current backend) expects from
 * every names endpoint; the pinned OpenAPI file still shows a bare string array there.
 */
export function scoreNames(names: Iterable<string>): { scores: { name: string; type: string }[] } {
  return { scores: [...names].sort().map((name) => ({ name, type: "feedback_scores" })) };
}
