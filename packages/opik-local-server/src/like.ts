/**
 * ClickHouse `ilike(haystack, '%' || value || '%')`: the backend does not escape the
 * user's value, so `%` and `_` inside it stay wildcards and `\` escapes the next char.
 */
export function ilike(haystack: string, pattern: string): boolean {
  return likeRegExp(pattern).test(haystack);
}

export function containsLike(haystack: string, value: string): boolean {
  return ilike(haystack, `%${value}%`);
}

const cache = new Map<string, RegExp>();

function likeRegExp(pattern: string): RegExp {
  let regex = cache.get(pattern);
  if (regex) return regex;
  let source = "";
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern.charAt(i);
    if (char === "\\" && i + 1 < pattern.length) {
      i += 1;
      source += escapeRegExp(pattern.charAt(i));
    } else if (char === "%") {
      source += "[\\s\\S]*";
    } else if (char === "_") {
      source += "[\\s\\S]";
    } else {
      source += escapeRegExp(char);
    }
  }
  regex = new RegExp(`^${source}$`, "iu");
  if (cache.size > 500) cache.clear();
  cache.set(pattern, regex);
  return regex;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
