import Mustache from "mustache";
import { errorMessage } from "../errors.js";
import type { ChatMessage } from "../types.js";

/** A task prompt from the user's repository: one mustache template, or chat messages whose contents are templates. */
export type PromptTemplate = { kind: "text"; template: string } | { kind: "messages"; messages: ChatMessage[] };

const ROLES = new Set(["system", "user", "assistant"]);

function templateProblem(template: string): string | undefined {
  try {
    Mustache.parse(template);
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}

/**
 * Parses a prompt file: a JSON array of `{role, content}` messages, or else
 * the whole text as a mustache template. Problems name the file.
 */
export function parsePrompt(file: string, text: string): { prompt?: PromptTemplate; problems: string[] } {
  const trimmed = text.trim();
  if (!trimmed) return { problems: [`${file}: the prompt file is empty (expected a mustache template or a JSON list of chat messages)`] };
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      return { problems: [`${file}: starts with "[" but is not valid JSON: ${errorMessage(error)}`] };
    }
    const problems: string[] = [];
    const messages: ChatMessage[] = [];
    (Array.isArray(parsed) ? parsed : []).forEach((entry: unknown, index) => {
      const message = entry as { role?: unknown; content?: unknown };
      if (
        typeof message !== "object" ||
        message === null ||
        typeof message.role !== "string" ||
        !ROLES.has(message.role) ||
        typeof message.content !== "string"
      ) {
        problems.push(`${file}: [${index}]: expected {"role": "system" | "user" | "assistant", "content": "<template>"}`);
        return;
      }
      const problem = templateProblem(message.content);
      if (problem) problems.push(`${file}: [${index}].content: ${problem}`);
      messages.push({ role: message.role as ChatMessage["role"], content: message.content });
    });
    if (!messages.length && !problems.length) problems.push(`${file}: the message list is empty`);
    return problems.length ? { problems } : { prompt: { kind: "messages", messages }, problems };
  }
  const problem = templateProblem(text);
  return problem ? { problems: [`${file}: ${problem}`] } : { prompt: { kind: "text", template: text }, problems: [] };
}

/** The prompt as Opik's prompt library stores it: the template itself, or the messages as JSON (as the SDK's chat prompts store them). */
export function promptLibraryTemplate(prompt: PromptTemplate): string {
  return prompt.kind === "text" ? prompt.template : JSON.stringify(prompt.messages);
}

/** Renders the prompt with the item's variables; no HTML escaping, since this goes to a model, not a page. */
export function renderPrompt(prompt: PromptTemplate, view: Record<string, unknown>): ChatMessage[] {
  const render = (template: string): string => Mustache.render(template, view, {}, { escape: (value: unknown) => String(value) });
  if (prompt.kind === "text") return [{ role: "user", content: render(prompt.template) }];
  return prompt.messages.map((message) => ({ role: message.role, content: render(message.content) }));
}
