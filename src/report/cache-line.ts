import type { RunResult } from "../run-result.js";

/**
 * What the completion cache did, in one phrase for the summary and the comment: hits, misses and the money the
 * hits saved; undefined when nothing went through it.
 */
export function cacheText(result: RunResult): string | undefined {
  const cache = result.cache;
  if (!cache) return undefined;
  const hits = cache.task.hits + cache.judge.hits;
  const misses = cache.task.misses + cache.judge.misses;
  if (hits + misses === 0) return undefined;
  const saved =
    cache.task.savedUsd === null || cache.judge.savedUsd === null ? "saving unknown" : `saved ≈ $${(cache.task.savedUsd + cache.judge.savedUsd).toFixed(4)}`;
  const task = cache.taskCached ? "" : " (task not cached: temperature above 0; cache: force would)";
  return `cache: ${hits} hit(s), ${misses} miss(es), ${saved}${task}`;
}
