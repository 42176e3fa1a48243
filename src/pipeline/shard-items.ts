import type { Shard } from "../config/parse-shard.js";

/**
 * Shard i of n: the items in id order, every n-th from the (i-1)-th. Every shard sorts the same list the same way,
 * so the slices are disjoint, cover every item, and differ in size by at most one.
 */
export function shardItems<T extends { id: string }>(items: readonly T[], shard: Shard): T[] {
  const ordered = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return ordered.filter((_, position) => position % shard.count === shard.index - 1);
}
