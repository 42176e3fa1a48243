import { type JsonObject, isJsonObject } from "../json.js";
import { badRequest, codeError, listError, unprocessableJson } from "../errors.js";
import type { RouteRequest, RouteResponse } from "../http-router.js";
import { nowIso, parseInstant } from "../instant.js";
import { DEFAULT_PROJECT_NAME, DEFAULT_USER, type ErrorInfo, type OpikStore, type StoredProject } from "../store.js";
import { createUuidV7, uuidV7Millis, uuidVersion } from "../uuid-v7.js";
import { type Violations, isBlank, optString } from "../body-reader.js";

export interface RouteContext {
  readonly store: OpikStore;
}

/** Hibernate Validator's message for the backend's "not blank, no surrounding-only whitespace" pattern. */
export const NOT_BLANK_PATTERN_MESSAGE = 'must match "(?s)^\\s*(\\S.*\\S|\\S)\\s*$"';

export function audit(): { created_at: string; created_by: string; last_updated_at: string; last_updated_by: string } {
  const now = nowIso();
  return { created_at: now, created_by: DEFAULT_USER, last_updated_at: now, last_updated_by: DEFAULT_USER };
}

export function touched<T extends { last_updated_at: string; last_updated_by: string }>(record: T): T {
  return { ...record, last_updated_at: nowIso(), last_updated_by: DEFAULT_USER };
}

export function noContent(): RouteResponse {
  return { status: 204 };
}

export function ok(body: unknown): RouteResponse {
  return { status: 200, body };
}

export function created(request: RouteRequest, resourcePath: string): RouteResponse {
  return { status: 201, headers: { Location: `${request.baseUrl}${resourcePath}` } };
}

/** Ingested ids must be UUIDv7, like `IdGenerator.validateVersion` enforces (400, Opik's error list shape). */
export function requireV7(id: string | undefined, resource: string): void {
  if (id !== undefined && uuidVersion(id) !== 7) throw listError(400, `${resource} id must be a version 7 UUID`);
}

/** Writes name their project; it is created on first use, "Default Project" when unnamed. */
export function projectForWrite(store: OpikStore, name: string | undefined): StoredProject {
  const wanted = name?.trim() ? name.trim() : DEFAULT_PROJECT_NAME;
  const existing = store.projectByName(wanted);
  if (existing) return existing;
  const project: StoredProject = { id: createUuidV7(), name: wanted, visibility: "private", ...audit() };
  store.projects.set(project.id, project);
  return project;
}

/** ValidationUtils.validateProjectNameAndProjectId, checked by the resource before anything runs. */
export function requireProjectIdentifier(projectName: string | undefined, projectId: string | undefined): void {
  if (projectId === undefined && isBlank(projectName)) throw badRequest("Either 'project_name' or 'project_id' query params must be provided");
}

/** ProjectService.resolveProjectIdAndVerifyVisibility: by id when given, else by name; undefined when unknown. */
export function findProjectForRead(store: OpikStore, projectName: string | undefined, projectId: string | undefined): StoredProject | undefined {
  requireProjectIdentifier(projectName, projectId);
  return projectId !== undefined ? store.projects.get(projectId) : store.projectByName((projectName ?? "").trim());
}

/** Reads need an existing project: ErrorUtils.failWithNotFound's 404 names what was looked up. */
export function projectForRead(store: OpikStore, projectName: string | undefined, projectId: string | undefined): StoredProject {
  const project = findProjectForRead(store, projectName, projectId);
  if (project) return project;
  throw codeError(404, projectId !== undefined ? `Project id: ${projectId} not found` : `Project name: ${projectName ?? ""} not found`);
}

export function checkProjectName(violations: Violations, path: string, name: string | undefined): void {
  if (name !== undefined && name.trim() === "") violations.add(path, NOT_BLANK_PATTERN_MESSAGE);
}

/** `ErrorInfo_Write`: exception_type and traceback are @NotBlank. */
export function readErrorInfo(record: JsonObject, key: string, violations: Violations, path: string): ErrorInfo | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw unprocessableJson();
  const exceptionType = optString(value, "exception_type");
  const message = optString(value, "message");
  const traceback = optString(value, "traceback");
  if (isBlank(exceptionType)) violations.add(memberPath(path, "exceptionType"), "must not be blank");
  if (isBlank(traceback)) violations.add(memberPath(path, "traceback"), "must not be blank");
  return { exception_type: exceptionType ?? "", ...(message !== undefined ? { message } : {}), traceback: traceback ?? "" };
}

/** `from_time`/`to_time` bound creation time, which the backend reads from the UUIDv7 ids. */
export function creationWindow(fromRaw: string | undefined, toRaw: string | undefined): ((id: string) => boolean) | undefined {
  if (fromRaw === undefined && toRaw === undefined) return undefined;
  const from = fromRaw === undefined ? undefined : parseInstant(fromRaw)?.millis;
  const to = toRaw === undefined ? Date.now() : parseInstant(toRaw)?.millis;
  if ((fromRaw !== undefined && from === undefined) || to === undefined) throw badRequest("Invalid time parameter, must be an ISO-8601 instant");
  if (from !== undefined && to <= from) throw badRequest("'to_time' must be after 'from_time'");
  return (id) => {
    const millis = uuidV7Millis(id);
    return (from === undefined || millis >= from) && millis <= to;
  };
}

/** A violation path: `spans[0].type` inside a batch, plain `type` for a single-entity body. */
export function memberPath(prefix: string, member: string): string {
  return prefix ? `${prefix}.${member}` : member;
}
