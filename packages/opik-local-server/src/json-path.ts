import { type JsonValue, isJsonObject } from "./json.js";

/**
 * Dictionary filter keys (`metadata.model`, `input_json.messages[0].content`) become
 * JSONPath the way the backend's JsonPathUtils builds it, and are then read with
 * ClickHouse `JSON_VALUE` semantics: scalars as text, objects/arrays/missing as ''.
 */
type Step = { kind: "key"; name: string } | { kind: "index"; index: number } | { kind: "wildcard" };

const DOT_SEGMENT = /^[A-Za-z0-9_]+$/;
const PATH_SUBSCRIPT = /\[(?:\d+|\*|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")]/g;

export interface DictionaryLookup {
  /** JSON_EXISTS */
  readonly exists: boolean;
  /** JSON_VALUE */
  readonly text: string;
}

export function lookupDictionary(document: JsonValue | undefined, key: string): DictionaryLookup {
  const nested = readPath(document, toSteps(key));
  if (nested.exists) return nested;
  // A plain dotted key may name one flat member ("a.b"); newer backends try both readings.
  if (key.includes(".") && !isPathExpression(key) && key.split(".").every((s) => DOT_SEGMENT.test(s))) {
    return readPath(document, [{ kind: "key", name: key }]);
  }
  return nested;
}

function toSteps(key: string): Step[] {
  const segments = key.split(".");
  if (isPathExpression(key)) {
    const rooted = key.startsWith("$") ? key : key.startsWith("[") || key.startsWith(".") ? `$${key}` : `$.${key}`;
    const parsed = parsePath(rooted);
    // A malformed expression is quoted as literal keys: it then matches nothing instead of failing the query.
    return parsed ?? segments.map((name) => ({ kind: "key", name }));
  }
  return segments.map((name) => ({ kind: "key", name }));
}

function isPathExpression(key: string): boolean {
  if (key === "$" || key.startsWith("$.") || key.startsWith("$[") || key.startsWith("[") || key.startsWith(".")) return true;
  const hasSubscript = key.includes("[") || key.includes("]");
  return hasSubscript && !/[[\]]/.test(key.replace(PATH_SUBSCRIPT, ""));
}

function parsePath(path: string): Step[] | undefined {
  if (!path.startsWith("$")) return undefined;
  const steps: Step[] = [];
  let i = 1;
  while (i < path.length) {
    const char = path.charAt(i);
    if (char === ".") {
      const match = /^\.([A-Za-z0-9_]+)/.exec(path.slice(i));
      if (!match?.[1]) return undefined;
      steps.push({ kind: "key", name: match[1] });
      i += match[0].length;
    } else if (char === "[") {
      const rest = path.slice(i);
      const index = /^\[(\d+)]/.exec(rest);
      const quoted = /^\[(['"])((?:\\.|(?!\1).)*)\1]/.exec(rest);
      if (index?.[1]) {
        steps.push({ kind: "index", index: Number(index[1]) });
        i += index[0].length;
      } else if (rest.startsWith("[*]")) {
        steps.push({ kind: "wildcard" });
        i += 3;
      } else if (quoted) {
        steps.push({ kind: "key", name: (quoted[2] ?? "").replace(/\\(.)/g, "$1") });
        i += quoted[0].length;
      } else {
        return undefined;
      }
    } else {
      return undefined;
    }
  }
  return steps;
}

function readPath(document: JsonValue | undefined, steps: readonly Step[]): DictionaryLookup {
  let current: JsonValue | undefined = document;
  for (const step of steps) {
    if (current === undefined) break;
    if (step.kind === "key") current = isJsonObject(current) ? current[step.name] : undefined;
    else if (step.kind === "index") current = Array.isArray(current) ? current[step.index] : undefined;
    else current = Array.isArray(current) ? current[0] : undefined;
  }
  if (current === undefined) return { exists: false, text: "" };
  if (current === null) return { exists: true, text: "null" };
  if (typeof current === "object") return { exists: true, text: "" };
  return { exists: true, text: String(current) };
}
