/**
 * Reads a custom judge's reply as one of its rails (a fixed label set).
 * Accepted, in this order:
 * 1. JSON `{"label": ..., "explanation": ...}`: bare, in a ``` fence, or the
 *    first {...} in the reply that parses (explanation optional; "reason" also read);
 * 2. a line `label: <label>` (Arize-style "EXPLANATION: ... LABEL: ..."
 *    replies), with an optional `explanation: ...` line;
 * 3. the whole reply as the label.
 * Labels compare case-insensitively after trimming whitespace, quotes,
 * markdown emphasis and punctuation around them ("**Correct.**" reads as
 * "correct"). Anything else is not an answer, so the caller fails the score.
 */
import { findJson } from "./find-json.js";
import { preview } from "./metric-result.js";

export type RailsReply = { label: string; explanation?: string } | { error: string };

/** Characters that may wrap a label without being part of it. */
const WRAPPING = /^[\s"'`*_.,;:!?()[\]{}<>]+|[\s"'`*_.,;:!?()[\]{}<>]+$/g;

export function normalizeLabel(text: string): string {
  return text.replace(WRAPPING, "").toLowerCase();
}

export function parseRailsReply(reply: string, labels: readonly string[]): RailsReply {
  const byNormalized = new Map(labels.map((label) => [normalizeLabel(label), label]));
  const find = (text: string): string | undefined => byNormalized.get(normalizeLabel(text));
  const expected = `expected one of ${labels.join(", ")}`;

  const json = jsonObjectIn(reply);
  if (json) {
    const label = json.label;
    if (typeof label !== "string") return { error: `judge reply is JSON without a "label" (${expected}): ${preview(reply, 120)}` };
    const found = find(label);
    if (!found) return { error: `judge label ${JSON.stringify(label)} is not a rail (${expected})` };
    const explanation = typeof json.explanation === "string" ? json.explanation : typeof json.reason === "string" ? json.reason : undefined;
    return { label: found, ...(explanation?.trim() ? { explanation: explanation.trim() } : {}) };
  }

  const labelLine = /^\W*label\W*[:=]\s*(.+)$/im.exec(reply);
  if (labelLine?.[1] !== undefined) {
    const found = find(labelLine[1]);
    if (!found) return { error: `judge label ${JSON.stringify(labelLine[1].trim())} is not a rail (${expected})` };
    const explanation = explanationLine(reply);
    return { label: found, ...(explanation ? { explanation } : {}) };
  }

  const found = find(reply);
  if (found) return { label: found };
  return { error: `judge reply is not one of the labels (${expected}): ${preview(reply, 120)}` };
}

/** The text after "explanation:", up to a "label:" line or the end. */
function explanationLine(reply: string): string | undefined {
  const after = /^\W*explanation\W*[:=]\s*([\s\S]*)$/im.exec(reply)?.[1];
  return after?.split(/^\W*label\W*[:=]/im)[0]?.trim() || undefined;
}

/** The JSON object a reply holds, found the way output_format finds JSON; arrays are not replies. */
function jsonObjectIn(reply: string): Record<string, unknown> | undefined {
  return findJson(reply, (value) => !Array.isArray(value))?.value as Record<string, unknown> | undefined;
}
