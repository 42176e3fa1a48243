/**
 * Edit distance (insertions, deletions, substitutions, each 1) between two
 * texts, over Unicode code points so an emoji counts once. Common prefix and
 * suffix are skipped first: near-identical outputs, the usual case, then cost
 * little. The rest is the classic two-row dynamic programme, O(n·m) time.
 */
export function levenshteinDistance(a: string, b: string): number {
  let left = Array.from(a);
  let right = Array.from(b);
  let start = 0;
  while (start < left.length && start < right.length && left[start] === right[start]) start++;
  let endLeft = left.length;
  let endRight = right.length;
  while (endLeft > start && endRight > start && left[endLeft - 1] === right[endRight - 1]) {
    endLeft--;
    endRight--;
  }
  left = left.slice(start, endLeft);
  right = right.slice(start, endRight);
  if (left.length === 0) return right.length;
  if (right.length === 0) return left.length;
  // The shorter text indexes the rows, to keep them small.
  if (left.length < right.length) [left, right] = [right, left];

  let previous = new Uint32Array(right.length + 1);
  let current = new Uint32Array(right.length + 1);
  for (let j = 0; j <= right.length; j++) previous[j] = j;
  for (let i = 1; i <= left.length; i++) {
    current[0] = i;
    const char = left[i - 1];
    for (let j = 1; j <= right.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (char === right[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[right.length] ?? 0;
}
