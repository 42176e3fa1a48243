import { lastUserMessage } from "../metrics/extract-text.js";

/** Enough of the user's message to tell items apart in a one-line summary. */
const PREVIEW_CHARS = 200;

/**
 * An item's preview for the report, when its input is a chat: items of one
 * feature usually share a system prompt, so the start of their text reads
 * the same; the last user message is what differs.
 */
export function userPreview(input: unknown): { preview?: string } {
  const message = lastUserMessage(input);
  return message === undefined ? {} : { preview: message.slice(0, PREVIEW_CHARS) };
}
