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

export interface NewSpanSelection {
  /** Spans not yet in a dataset, oldest first, at most `limit`. */
  selected: SpanRecord[];
  /** New spans left for a later run because of the limit. */
  deferred: number;
  /** New spans left out by sampling-rate. */
  sampledOut: number;
}

export interface NewSpanOptions {
  /** Span ids to leave out (spans already in a pending dataset). */
  exclude?: ReadonlySet<string>;
  samplingRate?: number;
}

/**
 * Step 2: choose among spans Opik found without an added_to_dataset score.
 * Opik streams newest first; the oldest are kept so that, when more spans
 * arrive than max-items, none ages out of the lookback window before a run
 * takes it. Memory stays bounded by the limit whatever the stream's length.
 */
export async function filterNewSpans(spans: AsyncIterable<SpanRecord>, limit: number, options: NewSpanOptions = {}): Promise<NewSpanSelection> {
  let fresh = 0;
  let sampledOut = 0;
  const newestFirst: SpanRecord[] = [];
  for await (const span of spans) {
    // The search already asked Opik to leave these out; a span marked by an overlapping run
    // while the stream was read, or a server that ignored the filter, must still not be taken twice.
    if (isAlreadyAdded(span) || options.exclude?.has(span.id)) continue;
    if (!isSampled(span.id, options.samplingRate ?? 1)) {
      sampledOut += 1;
      continue;
    }
    fresh += 1;
    newestFirst.push(span);
    if (newestFirst.length > limit) newestFirst.shift();
  }
  return { selected: newestFirst.reverse(), deferred: Math.max(0, fresh - limit), sampledOut };
}
