import type { FieldTable } from "./filters.js";
import { instantMillis } from "./instant.js";
import type { OpikStore, StoredPrompt, StoredPromptVersion } from "./store.js";

/** PromptField: the columns `GET /prompts?filters=` accepts (the SDK's OQL `forPrompts` sends these). */
export function promptFilterFields(store: OpikStore): FieldTable<StoredPrompt> {
  return {
    id: { type: "STRING", read: (p) => p.id },
    name: { type: "STRING", read: (p) => p.name },
    description: { type: "STRING", read: (p) => p.description ?? "" },
    created_at: { type: "DATE_TIME", read: (p) => instantMillis(p.created_at) },
    last_updated_at: { type: "DATE_TIME", read: (p) => instantMillis(p.last_updated_at) },
    created_by: { type: "STRING", read: (p) => p.created_by },
    last_updated_by: { type: "STRING", read: (p) => p.last_updated_by },
    tags: { type: "LIST", read: (p) => p.tags ?? [] },
    version_count: { type: "NUMBER", read: (p) => store.versionsOfPrompt(p.id).length },
    template_structure: { type: "ENUM", read: (p) => p.template_structure },
  };
}

/** PromptVersionField: the columns `GET /prompts/{id}/versions?filters=` accepts. */
export const PROMPT_VERSION_FILTER_FIELDS: FieldTable<StoredPromptVersion> = {
  id: { type: "STRING", read: (v) => v.id },
  commit: { type: "STRING", read: (v) => v.commit },
  template: { type: "STRING", read: (v) => v.template },
  change_description: { type: "STRING", read: (v) => v.change_description ?? "" },
  type: { type: "ENUM", read: (v) => v.type },
  tags: { type: "LIST", read: (v) => v.tags ?? [] },
  created_at: { type: "DATE_TIME", read: (v) => instantMillis(v.created_at) },
  created_by: { type: "STRING", read: (v) => v.created_by },
  metadata: { type: "DICTIONARY", read: (v) => v.metadata },
};
