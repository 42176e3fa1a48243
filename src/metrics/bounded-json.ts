import { MAX_JSON_DEPTH } from "../constants.js";

/** What stands for a subtree deeper than MAX_JSON_DEPTH: it is never walked, not even by JSON.stringify. */
export const TOO_DEEP = `[nested deeper than ${MAX_JSON_DEPTH} levels]`;

/**
 * JSON of any value that cannot overflow the stack: containers below
 * MAX_JSON_DEPTH become TOO_DEEP, cycles "[Circular]", bigints strings.
 * With sortKeys, object keys are sorted at every level (stable text for the same value).
 */
export function boundedJson(value: unknown, options: { sortKeys?: boolean } = {}): string {
  const seen = new WeakSet<object>();
  const normalise = (current: unknown, depth: number): unknown => {
    if (typeof current === "bigint") return current.toString();
    if (typeof current !== "object" || current === null) return current;
    const toJSON = (current as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return normalise(toJSON.call(current), depth);
    if (depth >= MAX_JSON_DEPTH) return TOO_DEEP;
    if (seen.has(current)) return "[Circular]";
    seen.add(current);
    const keys = Object.keys(current);
    const result = Array.isArray(current)
      ? current.map((item) => normalise(item, depth + 1))
      : Object.fromEntries((options.sortKeys ? keys.sort() : keys).map((key) => [key, normalise((current as Record<string, unknown>)[key], depth + 1)]));
    seen.delete(current);
    return result;
  };
  return JSON.stringify(normalise(value, 0)) ?? "";
}
