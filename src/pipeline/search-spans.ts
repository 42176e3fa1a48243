import { ADDED_TO_DATASET_SCORE } from "../constants.js";
import { errorMessage } from "../errors.js";
import type { OpikGateway, SpanPayloadField } from "../opik/opik-gateway.js";
import type { OpikFilter, SpanRecord } from "../types.js";
import { type NewSpanSelection, type NewSpanOptions, filterNewSpans, isAlreadyAdded } from "./filter-new-spans.js";
import type { Logger } from "./logger.js";
import { startTimeFilters } from "./time-window.js";

/** The spans a feature harvests: its LLM spans that started inside the window, narrowed by the user's `filter`. */
export interface SpanQuery {
  spanName: string;
  window: { start: Date; end: Date };
  extraFilters?: readonly OpikFilter[];
}

export interface SpanSelection extends NewSpanSelection {
  /** Spans that match the query, already-added ones included (the original job's spans_found). */
  found: number;
}

export function matchingSpanFilters(query: SpanQuery): OpikFilter[] {
  return [
    { field: "name", operator: "=", value: query.spanName },
    { field: "type", operator: "=", value: "llm" },
    ...startTimeFilters(query.window),
    ...(query.extraFilters ?? []),
  ];
}

/**
 * Opik's `feedback_scores` `is_empty`: spans without a score of that name (compared
 * case-insensitively). The value is "" because the backend answers the SDK's null with a 500.
 */
export const NOT_YET_ADDED: OpikFilter = { field: "feedback_scores", key: ADDED_TO_DATASET_SCORE, operator: "is_empty", value: "" };

/** What the choosing pass leaves out: a span's ids, name, type, start time and scores are enough to choose it. */
const PAYLOADS: SpanPayloadField[] = [
  "input",
  "output",
  "metadata",
  "model",
  "provider",
  "tags",
  "usage",
  "error_info",
  "end_time",
  "total_estimated_cost",
  "comments",
  "duration",
  "ttft",
];

/**
 * Steps 1 and 2: Opik itself leaves out the spans already added, so only new
 * spans are downloaded with their payloads, and the matching spans are counted
 * from a page total. Transfer grows with the new spans the run takes, not with
 * the matching ones, nor with a backlog of new ones past the limit.
 */
export async function selectNewSpans(
  opik: OpikGateway,
  query: SpanQuery,
  limit: number,
  options: NewSpanOptions & { log?: Pick<Logger, "warning"> } = {},
): Promise<SpanSelection> {
  const filters = matchingSpanFilters(query);
  const plainSearch = (): Promise<NewSpanSelection> => filterNewSpans(searchUnmarkedSpans(opik, filters, options.log), limit, options);
  let selection: NewSpanSelection;
  if (await moreNewThanTaken(opik, filters, limit, options.samplingRate ?? 1)) {
    try {
      selection = await chooseThenDownload(opik, filters, limit, options);
    } catch (error) {
      // An Opik too old to leave fields out of a search (400) gets the plain one.
      if (statusOf(error) !== 400) throw error;
      selection = await plainSearch();
    }
  } else {
    selection = await plainSearch();
  }
  // Counted after the search: a span that arrives in between is then counted, never taken without being found.
  const found = await opik.countSpans(filters);
  return { found, ...selection };
}

/**
 * Whether the run takes only some of the new spans (more than the limit, or a sample): then their payloads are
 * worth not downloading whole. One page total says so. An Opik that cannot count spans without a score (400) takes
 * the plain search, which copes with that.
 */
async function moreNewThanTaken(opik: OpikGateway, filters: OpikFilter[], limit: number, samplingRate: number): Promise<boolean> {
  try {
    const unmarked = await opik.countSpans([...filters, NOT_YET_ADDED]);
    return unmarked > limit || (samplingRate < 1 && unmarked > 0);
  } catch (error) {
    if (statusOf(error) === 400) return false;
    throw error;
  }
}

/**
 * Two passes. The new spans without their payloads, choosing as filterNewSpans does (the oldest, up to the limit,
 * sampled); then the payloads of the spans that started no later than the newest chosen one, Opik filtering on the
 * start time, of which the chosen are kept. A chosen span that an overlapping run marked in between is not returned
 * by the second pass, and is left to that run.
 */
async function chooseThenDownload(opik: OpikGateway, filters: OpikFilter[], limit: number, options: NewSpanOptions): Promise<NewSpanSelection> {
  const chosen = await filterNewSpans(opik.searchSpans([...filters, NOT_YET_ADDED], { exclude: PAYLOADS }), limit, options);
  if (chosen.selected.length === 0) return chosen;
  const newest = Math.max(...chosen.selected.map((span) => Date.parse(span.startTime)));
  // Opik keeps microseconds that Date drops: bounded by the next millisecond, the newest chosen span is inside.
  const bound: OpikFilter = { field: "start_time", operator: "<", value: new Date(newest + 1).toISOString() };
  const wanted = new Set(chosen.selected.map((span) => span.id));
  const downloaded = new Map<string, SpanRecord>();
  for await (const span of opik.searchSpans([...filters, NOT_YET_ADDED, bound])) {
    if (wanted.has(span.id) && !isAlreadyAdded(span)) downloaded.set(span.id, span);
  }
  return { ...chosen, selected: chosen.selected.flatMap((span) => downloaded.get(span.id) ?? []) };
}

/**
 * A self-hosted Opik too old for `is_empty` on feedback scores answers the search with 400
 * before sending a row: the run then downloads every matching span and leaves out the
 * marked ones itself, as filterNewSpans does anyway, rather than stop.
 */
async function* searchUnmarkedSpans(opik: OpikGateway, filters: OpikFilter[], log: Pick<Logger, "warning"> | undefined): AsyncGenerator<SpanRecord> {
  let received = false;
  try {
    for await (const span of opik.searchSpans([...filters, NOT_YET_ADDED])) {
      received = true;
      yield span;
    }
  } catch (error) {
    if (received || statusOf(error) !== 400) throw error;
    // Warned once the plain search is answered: when it fails too, the user's own filter is at fault, and its error says so.
    let warned = false;
    const warn = (): void => {
      if (!warned)
        log?.warning(
          `Opik rejected the search for spans without an ${ADDED_TO_DATASET_SCORE} score (${errorMessage(error)}); every matching span is downloaded instead. A newer Opik avoids this transfer.`,
        );
      warned = true;
    };
    for await (const span of opik.searchSpans(filters)) {
      warn();
      yield span;
    }
    warn();
  }
}

function statusOf(error: unknown): number | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  return (cause as { statusCode?: number } | undefined)?.statusCode;
}
