import { compact } from "./json.js";
import type { OpikStore, PromptType, StoredPrompt, StoredPromptVersion } from "./store.js";

/**
 * Prompt records → the backend's JSON views: `PromptVersion.View.Detail` (with `variables`),
 * `PromptVersion.View.Public` (lists, without), `Prompt.View.Public` (lists) and `Prompt.View.Detail`.
 */

/**
 * TemplateParseUtils.extractVariables, approximated: mustache and jinja2 `{{ name }}` (mustache
 * sections and partials skipped), python `{name}`.
 */
export function templateVariables(template: string, type: PromptType): string[] {
  const pattern = type === "python" ? /(?<!\{)\{\s*([A-Za-z_][\w.]*)\s*\}(?!\})/g : /\{\{\{?\s*([^#/^!>{}\s][^{}]*?)\s*\}?\}\}/g;
  const names = new Set<string>();
  for (const match of template.matchAll(pattern)) if (match[1]) names.add(type === "jinja2" ? (match[1].split(/[\s|.[(]/)[0] ?? "") : match[1]);
  names.delete("");
  return [...names];
}

export function renderPromptVersion(version: StoredPromptVersion, detail: boolean): Record<string, unknown> {
  return compact({
    id: version.id,
    prompt_id: version.prompt_id,
    commit: version.commit,
    template: version.template,
    metadata: version.metadata,
    type: version.type,
    change_description: version.change_description,
    tags: version.tags,
    variables: detail ? templateVariables(version.template, version.type) : undefined,
    template_structure: version.template_structure,
    created_at: version.created_at,
    created_by: version.created_by,
  });
}

export function renderPrompt(store: OpikStore, prompt: StoredPrompt, detail: { requestedVersion?: StoredPromptVersion } | undefined): Record<string, unknown> {
  const versions = store.versionsOfPrompt(prompt.id);
  const latest = versions[0];
  return compact({
    id: prompt.id,
    name: prompt.name,
    project_id: prompt.project_id,
    description: prompt.description,
    template_structure: prompt.template_structure,
    tags: prompt.tags,
    created_at: prompt.created_at,
    created_by: prompt.created_by,
    last_updated_at: prompt.last_updated_at,
    last_updated_by: prompt.last_updated_by,
    version_count: versions.length,
    latest_version: detail && latest ? renderPromptVersion(latest, true) : undefined,
    requested_version: detail?.requestedVersion ? renderPromptVersion(detail.requestedVersion, true) : undefined,
  });
}

/** An experiment's `prompt_versions`, enriched the way the backend reads them back (commit, prompt id and name). */
export function renderPromptVersionLinks(store: OpikStore, links: readonly { id: string }[] | undefined): Record<string, unknown>[] | undefined {
  return links?.map((link) => {
    const version = store.promptVersions.get(link.id);
    const prompt = version ? store.prompts.get(version.prompt_id) : undefined;
    return compact({ id: link.id, commit: version?.commit, prompt_id: version?.prompt_id, prompt_name: prompt?.name });
  });
}
