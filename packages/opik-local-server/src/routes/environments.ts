import { Violations, isBlank, optInteger, optString, optUuid, requireBody } from "../body-reader.js";
import { listError } from "../errors.js";
import { type HttpRouter, pathUuid } from "../http-router.js";
import { compact } from "../json.js";
import type { OpikStore, StoredEnvironment } from "../store.js";
import { createUuidV7 } from "../uuid-v7.js";
import { readBatchDelete } from "./batch-delete.js";
import { type RouteContext, audit, created, noContent, ok, requireV7, touched } from "./common.js";

/** Workspace environments (EnvironmentsResource): named, at most 20 per workspace, listed oldest first. */

const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
const MAX_PER_WORKSPACE = 20;

const notFound = () => listError(404, "Environment not found");
const nameConflict = (name: string) => listError(409, `Environment with name '${name}' already exists in the workspace`);

interface EnvironmentFields {
  name?: string;
  description?: string;
  color?: string;
  position?: number;
}

/** Environment / EnvironmentUpdate bean validation; `name` is only required on create. */
function readFields(body: ReturnType<typeof requireBody>, requireName: boolean): EnvironmentFields {
  const violations = new Violations();
  const fields: EnvironmentFields = {};
  const name = optString(body, "name");
  const description = optString(body, "description");
  const color = optString(body, "color");
  const position = optInteger(body, "position");
  if (requireName && isBlank(name)) violations.add("name", "must not be blank");
  if (name !== undefined && !NAME_PATTERN.test(name)) violations.add("name", `must match '${NAME_PATTERN.source}'`);
  if (name !== undefined && name.length > 150) violations.add("name", "cannot exceed 150 characters");
  if (description !== undefined && description.length > 500) violations.add("description", "cannot exceed 500 characters");
  if (color !== undefined && color.length > 20) violations.add("color", "cannot exceed 20 characters");
  violations.throwIfAny();
  if (name !== undefined) fields.name = name;
  if (description !== undefined) fields.description = description;
  if (color !== undefined) fields.color = color;
  if (position !== undefined) fields.position = position;
  return fields;
}

/** MySQL's unique key on (workspace, name) compares case-insensitively. */
function nameTaken(store: OpikStore, name: string, exceptId?: string): boolean {
  const wanted = name.toLowerCase();
  return [...store.environments.values()].some((e) => e.id !== exceptId && e.name.toLowerCase() === wanted);
}

export function renderEnvironment(environment: StoredEnvironment): Record<string, unknown> {
  return compact({
    id: environment.id,
    name: environment.name,
    description: environment.description,
    color: environment.color,
    position: environment.position,
    created_at: environment.created_at,
    created_by: environment.created_by,
    last_updated_at: environment.last_updated_at,
    last_updated_by: environment.last_updated_by,
  });
}

export function registerEnvironmentRoutes(router: HttpRouter, { store }: RouteContext): void {
  router.get("/v1/private/environments", () => {
    // Oldest first (ORDER BY created_at ASC); the page is never split, and an empty one reports size 0.
    const rows = [...store.environments.values()].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
    return ok({ page: 1, size: rows.length, total: rows.length, content: rows.map(renderEnvironment), sortable_by: ["created_at"] });
  });

  router.post("/v1/private/environments", (request) => {
    const body = requireBody(request.body);
    const id = optUuid(body, "id");
    const fields = readFields(body, true);
    requireV7(id, "environment");
    if (store.environments.size >= MAX_PER_WORKSPACE) throw listError(409, `Workspace already has the maximum of ${MAX_PER_WORKSPACE} environments`);
    const name = fields.name ?? "";
    if (nameTaken(store, name) || (id !== undefined && store.environments.has(id))) throw nameConflict(name);
    const environment: StoredEnvironment = {
      id: id ?? createUuidV7(),
      name,
      ...(fields.description !== undefined ? { description: fields.description } : {}),
      // The table's defaults: COALESCE(color, 'default'), COALESCE(position, 0).
      color: fields.color ?? "default",
      position: fields.position ?? 0,
      ...audit(),
    };
    store.environments.set(environment.id, environment);
    return created(request, `/v1/private/environments/${environment.id}`);
  });

  router.get("/v1/private/environments/{id}", (request) => {
    const environment = store.environments.get(pathUuid(request, "id"));
    if (!environment) throw notFound();
    return ok(renderEnvironment(environment));
  });

  router.patch("/v1/private/environments/{id}", (request) => {
    const id = pathUuid(request, "id");
    const fields = readFields(requireBody(request.body), false);
    const environment = store.environments.get(id);
    if (!environment) throw notFound();
    if (fields.name !== undefined && nameTaken(store, fields.name, id)) throw nameConflict(fields.name);
    // UPDATE ... SET x = COALESCE(:x, x): members left out keep their value.
    store.environments.set(id, touched({ ...environment, ...fields }));
    return noContent();
  });

  router.post("/v1/private/environments/delete", (request) => {
    for (const id of readBatchDelete(request.body, "ids")) store.environments.delete(id);
    return noContent();
  });
}
