import { MAX_JSON_DEPTH } from "../constants.js";
import type { ChatMessage } from "../types.js";
import { boundedJson } from "./bounded-json.js";

/**
 * Spans record inputs and outputs in whatever shape the instrumented code
 * used. Metrics and judges need text, so these functions recognise the common
 * shapes and fall back to stable JSON (sorted keys) so the same value always
 * reads the same.
 */

/** Keys whose value is the payload's text, most specific first. */
const TEXT_KEYS = ["output", "content", "text", "response", "answer", "result"] as const;

/**
 * The text of an input or output:
 * - a string as is; numbers and booleans as written; null/undefined as "";
 * - an OpenAI chat completion (`choices[0].message.content`, or legacy `choices[0].text`);
 * - a Gemini response (`candidates[0].content.parts[].text`);
 * - a chat message list, bare or as `{messages}` / Gemini `{contents}`, as "role: content" lines;
 * - a list of content parts (`{type: "text", text}`), their texts joined;
 * - the first of `output`, `content`, `text`, `response`, `answer`, `result` present, recursively;
 * - an object with a single key, that key's value, recursively (e.g. `{question: "..."}`);
 * - anything else as stable JSON.
 * Past MAX_JSON_DEPTH levels a value is only written as (bounded) JSON.
 */
export function extractText(value: unknown): string {
  return textAt(value, 0);
}

function textAt(value: unknown, depth: number): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (depth > MAX_JSON_DEPTH) return stableJson(value);
  if (Array.isArray(value)) {
    if (isMessageList(value)) return value.map((message) => formatMessage(message, depth)).join("\n");
    if (isContentPartList(value)) return partsText(value);
    return stableJson(value);
  }
  if (!isRecord(value)) return stableJson(value);

  const completionText = openAICompletionText(value, depth) ?? geminiResponseText(value);
  if (completionText !== undefined) return completionText;
  const messages = value.messages ?? value.contents;
  if (Array.isArray(messages) && isMessageList(messages)) return messages.map((message) => formatMessage(message, depth)).join("\n");
  for (const key of TEXT_KEYS) {
    if (value[key] !== undefined && value[key] !== null) return textAt(value[key], depth + 1);
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] !== undefined) return textAt(value[keys[0]], depth + 1);
  return stableJson(value);
}

/**
 * The messages to send a task model for an item: the recorded chat messages
 * when the input is a message list (OpenAI style, `{messages}` or Gemini
 * `{contents}`), otherwise one user message with the input's text. Roles map
 * to system/user/assistant: developer→system, model→assistant, and tool or
 * function results become user messages prefixed with their role.
 */
export function extractMessages(value: unknown): ChatMessage[] {
  const list = Array.isArray(value) ? value : isRecord(value) ? (value.messages ?? value.contents) : undefined;
  if (Array.isArray(list) && isMessageList(list) && list.length > 0) return list.map((message) => toChatMessage(message));
  return [{ role: "user", content: extractText(value) }];
}

/**
 * The user's part of a chat-shaped input: the last user message of a message
 * list (bare, `{messages}` or Gemini `{contents}`). Undefined for any other
 * shape, whose text (extractText) already starts with what tells items apart.
 */
export function lastUserMessage(value: unknown): string | undefined {
  const list = Array.isArray(value) ? value : isRecord(value) ? (value.messages ?? value.contents) : undefined;
  if (!Array.isArray(list) || !isMessageList(list)) return undefined;
  const last = list.findLast((message) => message.role === "user");
  return last ? messageContent(last, 0) : undefined;
}

type RecordedMessage = Record<string, unknown> & { role: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isMessageList(value: unknown[]): value is RecordedMessage[] {
  return (
    value.length > 0 && value.every((item) => isRecord(item) && typeof item.role === "string" && ("content" in item || "parts" in item || "tool_calls" in item))
  );
}

function isContentPartList(value: unknown[]): value is Record<string, unknown>[] {
  return value.length > 0 && value.every((item) => isRecord(item) && (typeof item.type === "string" || typeof item.text === "string"));
}

function formatMessage(message: RecordedMessage, depth: number): string {
  return `${message.role}: ${messageContent(message, depth + 1)}`;
}

/** A message's text: string content, content parts (OpenAI/Anthropic), Gemini parts, or the tool calls it made. */
function messageContent(message: RecordedMessage, depth: number): string {
  const content = message.content ?? message.parts;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return partsText(content);
  if (message.tool_calls !== undefined) return stableJson(message.tool_calls);
  return content === undefined || content === null ? "" : textAt(content, depth + 1);
}

/** Text parts joined; other parts (images, audio, files) leave a placeholder so a reader knows they were there. */
function partsText(parts: unknown[]): string {
  return parts
    .map((part) => {
      if (typeof part === "string") return part;
      if (!isRecord(part)) return "";
      if (typeof part.text === "string") return part.text;
      return typeof part.type === "string" ? `[${part.type}]` : "";
    })
    .join("");
}

function openAICompletionText(value: Record<string, unknown>, depth: number): string | undefined {
  if (!Array.isArray(value.choices)) return undefined;
  const choice: unknown = value.choices[0];
  if (!isRecord(choice)) return undefined;
  if (typeof choice.text === "string") return choice.text;
  const message = choice.message;
  if (!isRecord(message)) return undefined;
  return messageContent({ ...message, role: "assistant" }, depth + 1);
}

function geminiResponseText(value: Record<string, unknown>): string | undefined {
  if (!Array.isArray(value.candidates)) return undefined;
  const candidate: unknown = value.candidates[0];
  if (!isRecord(candidate) || !isRecord(candidate.content)) return undefined;
  const parts = candidate.content.parts;
  return Array.isArray(parts) ? partsText(parts) : undefined;
}

function toChatMessage(message: RecordedMessage): ChatMessage {
  const content = messageContent(message, 0);
  switch (message.role) {
    case "system":
    case "developer":
      return { role: "system", content };
    case "assistant":
    case "model":
      return { role: "assistant", content };
    case "user":
      return { role: "user", content };
    default:
      // Tool and function results have no place in a plain chat; keep them as context the model can read.
      return { role: "user", content: `${message.role}: ${content}` };
  }
}

/** JSON with object keys sorted at every level; cycles, bigints and depth cannot break it. */
export function stableJson(value: unknown): string {
  return boundedJson(value, { sortKeys: true });
}
