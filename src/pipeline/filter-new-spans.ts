import { ADDED_TO_DATASET_SCORE } from "../constants.js";
import type { SpanRecord } from "../types.js";

/** Score names compare case-insensitively, as the Opik backend compares them. */
export function isAlreadyAdded(span: Pick<SpanRecord, "feedbackScores">): boolean {
  return span.feedbackScores.some((score) => score.name.toLowerCase() === ADDED_TO_DATASET_SCORE);
}

/**
 * Whether a span falls in the sample: a hash of its id against the rate, so
 * the same spans are chosen on every rerun (FNV-1a, uniform enough for ids).
 */
export function isSampled(spanId: string, rate: number): boolean {
  if (rate >= 1) return true;
  let hash = 0x811c9dc5;
  for (let i = 0; i < spanId.length; i += 1) {
    hash ^= spanId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x1_0000_0000 < rate;
}

export interface SpanSelection {
  /** Spans that matched the search, already-added ones included (the seed's spans_found). */
  found: number;
  /** Spans not yet in a dataset, oldest first, at most `limit`. */
  selected: SpanRecord[];
  /** New spans left for a later run because of the limit. */
  deferred: number;
  /** New spans left out by sampling-rate. */
  sampledOut: number;
}

/**
 * Step 2: keep the spans that carry no added_to_dataset score. Opik streams
 * newest first; the oldest are kept so that, when more spans arrive than
 * max-items, none ages out of the lookback window before a run takes it.
 * Memory stays bounded by the limit whatever the stream's length.
 */
export async function filterNewSpans(spans: AsyncIterable<SpanRecord>, limit: number, options: { exclude?: ReadonlySet<string>; samplingRate?: number } = {}): Promise<SpanSelection> {
  let found = 0;
  let fresh = 0;
  let sampledOut = 0;
  const newestFirst: SpanRecord[] = [];
  for await (const span of spans) {
    found += 1;
    if (isAlreadyAdded(span) || options.exclude?.has(span.id)) continue;
    if (!isSampled(span.id, options.samplingRate ?? 1)) {
      sampledOut += 1;
      continue;
    }
    fresh += 1;
    newestFirst.push(span);
    if (newestFirst.length > limit) newestFirst.shift();
  }
  return { found, selected: newestFirst.reverse(), deferred: Math.max(0, fresh - limit), sampledOut };
}
