import { ADDED_TO_DATASET_SCORE } from "../constants.js";
import { errorMessage } from "../errors.js";
import type { OpikGateway } from "../opik/opik-gateway.js";
import type { OpikFilter, SpanRecord } from "../types.js";
import { type NewSpanSelection, type NewSpanOptions, filterNewSpans } from "./filter-new-spans.js";
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

/**
 * Steps 1 and 2: Opik itself leaves out the spans already added, so only new
 * spans are downloaded with their payloads, and the matching spans are counted
 * from a page total. Transfer grows with the new spans, not with the matching ones.
 */
export async function selectNewSpans(
  opik: OpikGateway,
  query: SpanQuery,
  limit: number,
  options: NewSpanOptions & { log?: Pick<Logger, "warning"> } = {},
): Promise<SpanSelection> {
  const filters = matchingSpanFilters(query);
  const selection = await filterNewSpans(searchUnmarkedSpans(opik, filters, options.log), limit, options);
  // Counted after the search: a span that arrives in between is then counted, never taken without being found.
  const found = await opik.countSpans(filters);
  return { found, ...selection };
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
