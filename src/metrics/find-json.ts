/** Finding the JSON a model wrote in its text: bare, fenced, or embedded in prose. */

export type JsonLocation = "bare" | "fenced" | "prose";

const WHOLE_FENCE = /^```[\w-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```$/;
const ANY_FENCE = /```[\w-]*[ \t]*\r?\n([\s\S]*?)```/g;
/** Bounds the scan of long outputs full of brackets that never parse. */
const MAX_SCAN_STARTS = 200;

/**
 * The first JSON object or array in model text that `accept` takes, and where it was:
 * the whole text, a fence that is the whole text, any fence, then any balanced
 * {...} or [...] in prose, outermost first.
 */
export function findJson(output: string, accept: (value: object) => boolean = () => true): { value: unknown; location: JsonLocation } | undefined {
  const parseContainer = (text: string): unknown => parseAccepted(text, accept);
  const trimmed = output.trim();
  const bare = parseContainer(trimmed);
  if (bare !== undefined) return { value: bare, location: "bare" };
  const fenced = WHOLE_FENCE.exec(trimmed)?.[1];
  const inFence = fenced === undefined ? undefined : parseContainer(fenced.trim());
  if (inFence !== undefined) return { value: inFence, location: "fenced" };
  for (const match of trimmed.matchAll(ANY_FENCE)) {
    const value = parseContainer((match[1] ?? "").trim());
    if (value !== undefined) return { value, location: "prose" };
  }
  const embedded = scanForContainer(trimmed, parseContainer);
  return embedded === undefined ? undefined : { value: embedded, location: "prose" };
}

/** The value when `text` is exactly one JSON object or array that `accept` takes. */
function parseAccepted(text: string, accept: (value: object) => boolean): unknown {
  if (!text.startsWith("{") && !text.startsWith("[")) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === "object" && value !== null && accept(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The first balanced {...} or [...] in the text that parses, outermost first. */
function scanForContainer(text: string, parseContainer: (text: string) => unknown): unknown {
  let starts = 0;
  for (let start = 0; start < text.length && starts < MAX_SCAN_STARTS; start++) {
    if (text[start] !== "{" && text[start] !== "[") continue;
    starts++;
    const end = balancedEnd(text, start);
    if (end === undefined) continue;
    const value = parseContainer(text.slice(start, end + 1));
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Index of the bracket closing the one at `start`, skipping brackets inside JSON strings. */
function balancedEnd(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === "{" || char === "[") {
      depth++;
    } else if (char === "}" || char === "]") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return undefined;
}
