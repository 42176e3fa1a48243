import { Violations, isBlank, optEnum, optString, requireBody } from "../body-reader.js";
import { codeError, listError } from "../errors.js";
import { type HttpRouter, pathUuid } from "../http-router.js";
import { paginate } from "../paging.js";
import { type StoredProject, VISIBILITIES, newestFirst } from "../store.js";
import { createUuidV7 } from "../uuid-v7.js";
import { containsLike } from "../like.js";
import { renderProject } from "../views.js";
import { type RouteContext, audit, created, noContent, ok, touched } from "./common.js";

export function registerProjectRoutes(router: HttpRouter, { store }: RouteContext): void {
  router.get("/v1/private/projects", (request) => {
    // `name LIKE '%…%'` under a case-insensitive collation, with the caller's wildcards left live.
    const name = request.query.name;
    const rows = newestFirst([...store.projects.values()].filter((p) => !name || containsLike(p.name, name)));
    return ok(paginate(rows, request, renderProject));
  });

  router.post("/v1/private/projects", (request) => {
    const body = requireBody(request.body);
    const name = optString(body, "name");
    const description = optString(body, "description");
    const visibility = optEnum(body, "visibility", VISIBILITIES);
    const violations = new Violations();
    if (isBlank(name)) violations.add("name", "must not be blank");
    if (description !== undefined && description.length > 255) violations.add("description", "size must be between 0 and 255");
    violations.throwIfAny();
    if (store.projectByName((name ?? "").trim())) throw listError(409, "Project already exists");
    const project: StoredProject = {
      id: createUuidV7(),
      name: (name ?? "").trim(),
      visibility: visibility ?? "private",
      ...(description !== undefined ? { description } : {}),
      ...audit(),
    };
    store.projects.set(project.id, project);
    return created(request, `/v1/private/projects/${project.id}`);
  });

  router.query("/v1/private/projects/retrieve", (request) => {
    const name = optString(requireBody(request.body), "name");
    const violations = new Violations();
    if (isBlank(name)) violations.add("name", "must not be blank");
    violations.throwIfAny();
    const project = store.projectByName((name ?? "").trim());
    if (!project) throw listError(404, "Project not found");
    const traceCount = [...store.traces.values()].filter((t) => t.project_id === project.id).length;
    return ok({ ...renderProject(project), trace_count: traceCount });
  });

  router.get("/v1/private/projects/{id}", (request) => {
    const project = store.projects.get(pathUuid(request, "id"));
    if (!project) throw codeError(404, "Project not found");
    return ok(renderProject(project));
  });

  router.patch("/v1/private/projects/{id}", (request) => {
    const id = pathUuid(request, "id");
    const body = requireBody(request.body);
    const name = optString(body, "name");
    const description = optString(body, "description");
    const visibility = optEnum(body, "visibility", VISIBILITIES);
    const violations = new Violations();
    if (name !== undefined && isBlank(name)) violations.add("name", "must not be blank");
    if (description !== undefined && description.length > 255) violations.add("description", "size must be between 0 and 255");
    violations.throwIfAny();
    const project = store.projects.get(id);
    if (!project) throw codeError(404, "Project not found");
    const clash = name === undefined ? undefined : store.projectByName(name.trim());
    if (clash && clash.id !== id) throw listError(409, "Project already exists");
    store.projects.set(
      id,
      touched({
        ...project,
        ...(name !== undefined ? { name: name.trim() } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(visibility !== undefined ? { visibility } : {}),
      }),
    );
    return noContent();
  });

  router.delete("/v1/private/projects/{id}", (request) => {
    const id = pathUuid(request, "id");
    for (const trace of [...store.traces.values()]) if (trace.project_id === id) store.deleteTrace(trace.id);
    for (const span of [...store.spans.values()]) if (span.project_id === id) store.deleteSpan(span.id);
    store.projects.delete(id);
    return noContent();
  });
}
