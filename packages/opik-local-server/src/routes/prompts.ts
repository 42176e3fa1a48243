import {
  Violations,
  isBlank,
  optArray,
  optBoolean,
  optEnum,
  optJsonListString,
  optObject,
  optString,
  optStringSet,
  optUuid,
  requireBody,
} from "../body-reader.js";
import { codeError, listError } from "../errors.js";
import { matchesAll, parseFilters } from "../filters.js";
import { type HttpRouter, type RouteRequest, pathUuid } from "../http-router.js";
import type { JsonObject } from "../json.js";
import { containsLike } from "../like.js";
import { paginate, queryUuid } from "../paging.js";
import { PROMPT_VERSION_FILTER_FIELDS, promptFilterFields } from "../prompt-fields.js";
import { renderPrompt, renderPromptVersion } from "../prompt-views.js";
import {
  DEFAULT_USER,
  type OpikStore,
  PROMPT_TYPES,
  type StoredPrompt,
  type StoredPromptVersion,
  TEMPLATE_STRUCTURES,
  type TemplateStructure,
  newestFirst,
} from "../store.js";
import { nowIso } from "../instant.js";
import { createUuidV7 } from "../uuid-v7.js";
import { readBatchDelete } from "./batch-delete.js";
import { type RouteContext, audit, created, noContent, ok, projectForWrite, requireV7, touched } from "./common.js";

// PromptServiceImpl's messages; conflicts are Dropwizard ErrorMessages ({"code","message"}).
const promptNotFound = () => codeError(404, "Prompt not found");
const versionNotFound = () => codeError(404, "Prompt version not found");
const promptConflict = () => codeError(409, "Prompt id or name already exists");
const versionConflict = () => codeError(409, "Prompt version already exists");
/** What `sortable_by` lists for prompts (SortingFactoryPrompts); `sorting` itself is not applied. */
const PROMPT_SORTABLE_BY = ["id", "name", "description", "created_at", "last_updated_at", "created_by", "last_updated_by", "tags", "version_count"];
const COMMIT = /^[A-Za-z0-9]{8}$/;

/** CommitUtils.getCommit: the last 8 characters of the version id. */
export function commitOf(versionId: string): string {
  return versionId.slice(-8);
}

/** `project_id` wins over `project_name`; a named project is created on first use; neither → workspace level. */
function projectIdForWrite(store: OpikStore, body: JsonObject): string | undefined {
  const projectId = optUuid(body, "project_id");
  if (projectId !== undefined) {
    if (!store.projects.has(projectId)) throw codeError(404, "Project not found");
    return projectId;
  }
  const projectName = optString(body, "project_name");
  return isBlank(projectName) ? undefined : projectForWrite(store, projectName).id;
}

interface VersionFields {
  id: string | undefined;
  commit: string | undefined;
  template: string;
  metadata: StoredPromptVersion["metadata"];
  type: StoredPromptVersion["type"];
  change_description: string | undefined;
  tags: string[] | undefined;
  template_structure: TemplateStructure | undefined;
}

function readVersion(version: JsonObject, violations: Violations, path: string): VersionFields {
  const template = optString(version, "template");
  const commit = optString(version, "commit");
  if (isBlank(template)) violations.add(`${path}template`, "must not be blank");
  if (commit !== undefined && !COMMIT.test(commit)) violations.add(`${path}commit`, "if present, the commit message must be 8 alphanumeric characters long");
  return {
    id: optUuid(version, "id"),
    commit,
    template: template ?? "",
    metadata: optJsonListString(version, "metadata"),
    type: optEnum(version, "type", PROMPT_TYPES) ?? "mustache",
    change_description: optString(version, "change_description"),
    tags: optStringSet(version, "tags"),
    template_structure: optEnum(version, "template_structure", TEMPLATE_STRUCTURES),
  };
}

function saveVersion(store: OpikStore, prompt: StoredPrompt, fields: VersionFields): StoredPromptVersion {
  const id = fields.id ?? createUuidV7();
  requireV7(id, "prompt version");
  // PromptService.savePromptVersion: the structure is fixed when the prompt is created.
  if (fields.template_structure !== undefined && fields.template_structure !== prompt.template_structure) {
    throw codeError(
      400,
      `Template structure mismatch: prompt '${prompt.name}' has template_structure '${prompt.template_structure}' but new version has '${fields.template_structure}'. Template structure is immutable and cannot be changed after prompt creation.`,
    );
  }
  const commit = fields.commit ?? commitOf(id);
  if (store.promptVersions.has(id) || store.versionsOfPrompt(prompt.id).some((v) => v.commit === commit)) throw versionConflict();
  const version: StoredPromptVersion = {
    id,
    prompt_id: prompt.id,
    commit,
    template: fields.template,
    ...(fields.metadata !== undefined ? { metadata: fields.metadata } : {}),
    type: fields.type,
    ...(fields.change_description !== undefined ? { change_description: fields.change_description } : {}),
    ...(fields.tags !== undefined ? { tags: fields.tags } : {}),
    template_structure: prompt.template_structure,
    created_at: nowIso(),
    created_by: DEFAULT_USER,
  };
  store.promptVersions.set(id, version);
  return version;
}

function deletePrompt(store: OpikStore, id: string): void {
  store.prompts.delete(id);
  for (const version of store.versionsOfPrompt(id)) store.promptVersions.delete(version.id);
}

export function registerPromptRoutes(router: HttpRouter, { store }: RouteContext): void {
  const promptById = (id: string) => {
    const prompt = store.prompts.get(id);
    if (!prompt) throw promptNotFound();
    return prompt;
  };

  router.post("/v1/private/prompts", (request) => {
    const body = requireBody(request.body);
    const violations = new Violations();
    const id = optUuid(body, "id");
    const name = optString(body, "name");
    if (isBlank(name)) violations.add("name", "must not be blank");
    const template = optString(body, "template");
    // The version members of the body (template, metadata, type, change_description) only matter with a template.
    const version = readVersion({ ...body, id: null, commit: null, tags: null, template_structure: null, template: template || "-" }, violations, "");
    const structure = optEnum(body, "template_structure", TEMPLATE_STRUCTURES) ?? "text";
    violations.throwIfAny();
    requireV7(id, "prompt");
    if ((id !== undefined && store.prompts.has(id)) || store.promptByName(name ?? "")) throw promptConflict();
    const projectId = projectIdForWrite(store, body);
    const description = optString(body, "description");
    const tags = optStringSet(body, "tags");
    const prompt: StoredPrompt = {
      id: id ?? createUuidV7(),
      name: (name ?? "").trim(),
      ...(projectId !== undefined ? { project_id: projectId } : {}),
      ...(description !== undefined ? { description } : {}),
      template_structure: structure,
      ...(tags !== undefined ? { tags } : {}),
      ...audit(),
    };
    store.prompts.set(prompt.id, prompt);
    // A template in the body becomes the prompt's first version.
    if (template !== undefined && template !== "") saveVersion(store, prompt, { ...version, template });
    return created(request, `/v1/private/prompts/${prompt.id}`);
  });

  router.get("/v1/private/prompts", (request) => {
    const name = request.query.name;
    const projectId = queryUuid(request, "project_id");
    const fields = promptFilterFields(store);
    const filters = parseFilters(request.query.filters, fields, { kind: "query", raw: request.query.filters ?? "" });
    const rows = newestFirst(
      [...store.prompts.values()].filter(
        (p) => (!name || containsLike(p.name, name)) && (!projectId || p.project_id === projectId) && matchesAll(p, filters, fields),
      ),
    );
    return ok({ ...paginate(rows, request, (p) => renderPrompt(store, p, undefined)), sortable_by: PROMPT_SORTABLE_BY });
  });

  router.get("/v1/private/prompts/{id}", (request) => ok(renderPrompt(store, promptById(pathUuid(request, "id")), {})));

  router.put("/v1/private/prompts/{id}", (request) => {
    const id = pathUuid(request, "id");
    const body = requireBody(request.body);
    const violations = new Violations();
    const name = optString(body, "name");
    if (isBlank(name)) violations.add("name", "must not be blank");
    const description = optString(body, "description");
    const tags = optStringSet(body, "tags");
    violations.throwIfAny();
    const prompt = promptById(id);
    const clash = store.promptByName(name ?? "");
    if (clash && clash.id !== id) throw promptConflict();
    store.prompts.set(
      id,
      touched({ ...prompt, name: (name ?? "").trim(), ...(description !== undefined ? { description } : {}), ...(tags !== undefined ? { tags } : {}) }),
    );
    return noContent();
  });

  router.delete("/v1/private/prompts/{id}", (request) => {
    const id = pathUuid(request, "id");
    promptById(id); // PromptService.delete reads the prompt first: an unknown id is a 404.
    deletePrompt(store, id);
    return noContent();
  });

  router.post("/v1/private/prompts/delete", (request) => {
    for (const id of readBatchDelete(request.body, "ids")) deletePrompt(store, id);
    return noContent();
  });

  router.post("/v1/private/prompts/versions", (request) => {
    const body = requireBody(request.body);
    const violations = new Violations();
    const name = optString(body, "name");
    if (isBlank(name)) violations.add("name", "must not be blank");
    const rawVersion = optObject(body, "version");
    if (!rawVersion) violations.add("version", "must not be null");
    const fields = readVersion(rawVersion ?? { template: "x" }, violations, "version.");
    const structure = optEnum(body, "template_structure", TEMPLATE_STRUCTURES);
    violations.throwIfAny();
    // getOrCreatePrompt: the top-level template_structure only counts when the prompt is new.
    let prompt = store.promptByName(name ?? "");
    if (!prompt) {
      const projectId = projectIdForWrite(store, body);
      prompt = {
        id: createUuidV7(),
        name: (name ?? "").trim(),
        ...(projectId !== undefined ? { project_id: projectId } : {}),
        template_structure: structure ?? fields.template_structure ?? "text",
        ...audit(),
      };
      store.prompts.set(prompt.id, prompt);
    }
    // No dedupe here: the backend stores every version it is sent; the SDK skips unchanged templates itself.
    return ok(renderPromptVersion(saveVersion(store, prompt, fields), true));
  });

  router.patch("/v1/private/prompts/versions", (request) => {
    const body = requireBody(request.body);
    const violations = new Violations();
    const ids = optArray(body, "ids");
    if (ids === undefined) violations.add("ids", "must not be null");
    else if (ids.length < 1 || ids.length > 1000) violations.add("ids", "size must be between 1 and 1000");
    const update = optObject(body, "update");
    if (!update) violations.add("update", "must not be null");
    violations.throwIfAny();
    const tags = update ? optStringSet(update, "tags") : undefined;
    const merge = optBoolean(body, "merge_tags") ?? false;
    for (const id of readBatchDelete({ ids: ids ?? [] }, "ids")) {
      const version = store.promptVersions.get(id);
      // Null tags leave a version as it is; an empty set clears them unless merging.
      if (!version || tags === undefined) continue;
      const next = merge ? [...new Set([...(version.tags ?? []), ...tags])] : tags;
      store.promptVersions.set(id, { ...version, tags: next });
    }
    return noContent();
  });

  router.query("/v1/private/prompts/versions/retrieve", (request) => {
    const body = requireBody(request.body);
    const violations = new Violations();
    const name = optString(body, "name");
    if (isBlank(name)) violations.add("name", "must not be blank");
    violations.throwIfAny();
    const prompt = store.promptByName(name ?? "");
    if (!prompt) throw promptNotFound();
    const commit = optString(body, "commit");
    if (commit === undefined) {
      const latest = store.versionsOfPrompt(prompt.id)[0];
      if (!latest) throw versionNotFound();
      // retrievePromptVersion returns the latest version without `variables`, unlike a lookup by commit.
      return ok(renderPromptVersion(latest, false));
    }
    const version = store.versionsOfPrompt(prompt.id).find((v) => v.commit === commit);
    if (!version) throw versionNotFound();
    return ok(renderPromptVersion(version, true));
  });

  router.get("/v1/private/prompts/versions/{versionId}", (request) => {
    const version = store.promptVersions.get(pathUuid(request, "versionId"));
    if (!version) throw versionNotFound();
    return ok(renderPromptVersion(version, true));
  });

  router.get("/v1/private/prompts/{id}/versions", (request) => {
    // An unknown prompt is an empty page, not a 404.
    const id = pathUuid(request, "id");
    const search = request.query.search;
    const filters = parseFilters(request.query.filters, PROMPT_VERSION_FILTER_FIELDS, { kind: "query", raw: request.query.filters ?? "" });
    const rows = store
      .versionsOfPrompt(id)
      .filter(
        (v) =>
          (!search || containsLike(v.template, search) || containsLike(v.change_description ?? "", search)) &&
          matchesAll(v, filters, PROMPT_VERSION_FILTER_FIELDS),
      );
    return ok(paginate(rows, request, (v) => renderPromptVersion(v, false)));
  });

  router.get("/v1/private/prompts/by-commit/{commit}", (request) => byCommit(store, request));

  router.post("/v1/private/prompts/{promptId}/versions/{versionId}/restore", (request) => {
    const promptId = pathUuid(request, "promptId");
    const source = store.promptVersions.get(pathUuid(request, "versionId"));
    if (!source) throw versionNotFound();
    if (source.prompt_id !== promptId) throw codeError(404, "Prompt version not found for the specified prompt");
    const prompt = promptById(promptId);
    // A restore commits a copy of the old version as the newest one.
    const restored = saveVersion(store, prompt, {
      id: undefined,
      commit: undefined,
      template: source.template,
      metadata: source.metadata,
      type: source.type,
      change_description: `Restored from version ${source.commit}`,
      tags: source.tags,
      template_structure: undefined,
    });
    return ok(renderPromptVersion(restored, true));
  });
}

/** A commit is unique within its prompt only: one match is the prompt with `requested_version`, several a conflict. */
function byCommit(store: OpikStore, request: RouteRequest) {
  const commit = request.params.commit ?? "";
  const matches = [...store.promptVersions.values()].filter((v) => v.commit === commit);
  if (matches.length > 1) throw listError(409, `Multiple prompt versions found for commit '${commit}'`);
  const version = matches[0];
  const prompt = version ? store.prompts.get(version.prompt_id) : undefined;
  if (!version || !prompt) throw versionNotFound();
  return ok(renderPrompt(store, prompt, { requestedVersion: version }));
}
