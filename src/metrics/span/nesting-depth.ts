import type { SpanRecord } from "../../types.js";
import { timeMs } from "./trace-spans.js";

/**
 * How many levels deep the trace's span tree goes: a span without a parent is
 * level 1, its children level 2, and so on.
 *
 * Parent links are used when the spans carry them (`parentSpanId`).
 * Otherwise the tree is rebuilt from timing: a span's parent is the shortest
 * other span whose [start, end] contains it (a span without an end is an
 * instant at its start). Between spans with the same interval the earlier
 * listed one is the parent. Parallel siblings with identical timings can be
 * mistaken for parent and child, so the depth is then an upper estimate.
 */
export function nestingDepth(spans: readonly SpanRecord[]): number {
  const parents = spans.some((span) => span.parentSpanId !== undefined) ? parentsFromLinks(spans) : parentsFromTiming(spans);
  const depths = new Map<number, number>();
  const depthOf = (index: number, seen: Set<number>): number => {
    const known = depths.get(index);
    if (known !== undefined) return known;
    const parent = parents[index];
    seen.add(index);
    // A cycle in recorded links (corrupt data) ends the climb instead of looping.
    const depth = parent === undefined || seen.has(parent) ? 1 : 1 + depthOf(parent, seen);
    depths.set(index, depth);
    return depth;
  };
  let deepest = 0;
  for (let index = 0; index < spans.length; index++) deepest = Math.max(deepest, depthOf(index, new Set()));
  return deepest;
}

function parentsFromLinks(spans: readonly SpanRecord[]): (number | undefined)[] {
  const indexById = new Map(spans.map((span, index) => [span.id, index]));
  return spans.map((span) => (span.parentSpanId === undefined ? undefined : indexById.get(span.parentSpanId)));
}

function parentsFromTiming(spans: readonly SpanRecord[]): (number | undefined)[] {
  const intervals = spans.map((span) => {
    const start = timeMs(span.startTime);
    const end = timeMs(span.endTime) ?? start;
    return start === undefined || end === undefined ? undefined : { start, end: Math.max(start, end) };
  });
  return intervals.map((child, childIndex) => {
    if (!child) return undefined;
    let parent: number | undefined;
    let parentLength = Infinity;
    intervals.forEach((candidate, index) => {
      if (!candidate || index === childIndex || candidate.start > child.start || candidate.end < child.end) return;
      const length = candidate.end - candidate.start;
      const sameInterval = candidate.start === child.start && candidate.end === child.end;
      // Of two spans with one interval, only the earlier listed can be the parent, so they never parent each other.
      if (sameInterval && index > childIndex) return;
      if (length < parentLength || (length === parentLength && index > (parent ?? -1))) {
        parent = index;
        parentLength = length;
      }
    });
    return parent;
  });
}
