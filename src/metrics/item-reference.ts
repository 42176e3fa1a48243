import type { MetricInput } from "../types.js";
import { extractText } from "./extract-text.js";

/**
 * The text an output is compared with: the span's recorded output, or the
 * text of the item's data at a dotted path (`expected_output.answer`,
 * `input.choices.0.text`). Missing means a failed score, not a comparison
 * with "".
 */
export function referenceText(input: MetricInput, field: string | undefined): { text: string; source: string } | { error: string } {
  if (field === undefined) {
    const recorded = input.data.expected_output;
    if (recorded === undefined || recorded === null)
      return { error: "the item has no recorded output to compare with (set field to compare with another item field)" };
    return { text: input.expected, source: "the recorded output" };
  }
  const value = valueAtPath(input.data, field);
  if (value === undefined || value === null) return { error: `the item has no field ${field}` };
  return { text: extractText(value), source: field };
}

/** The value at a dotted path; numeric segments index arrays. Own properties only, so "constructor" finds nothing. */
export function valueAtPath(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const segment of path.split(".")) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (typeof current === "object" && current !== null && !Array.isArray(current) && Object.hasOwn(current, segment))
      current = (current as Record<string, unknown>)[segment];
    else return undefined;
  }
  return current;
}
