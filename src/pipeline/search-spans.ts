import { ADDED_TO_DATASET_SCORE } from "../constants.js";
import type { OpikGateway } from "../opik/opik-gateway.js";
import type { OpikFilter } from "../types.js";
import { type NewSpanSelection, type NewSpanOptions, filterNewSpans } from "./filter-new-spans.js";
import { startTimeFilters } from "./time-window.js";

/** The spans a feature harvests: its LLM spans that started inside the window, narrowed by the user's `filter`. */
export interface SpanQuery {
  spanName: string;
  window: { start: Date; end: Date };
  extraFilters?: readonly OpikFilter[];
}

export interface SpanSelection extends NewSpanSelection {
  /** Spans that match the query, already-added ones included (the seed's spans_found). */
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
export async function selectNewSpans(opik: OpikGateway, query: SpanQuery, limit: number, options: NewSpanOptions = {}): Promise<SpanSelection> {
  const filters = matchingSpanFilters(query);
  const selection = await filterNewSpans(opik.searchSpans([...filters, NOT_YET_ADDED]), limit, options);
  // Counted after the search: a span that arrives in between is then counted, never taken without being found.
  const found = await opik.countSpans(filters);
  return { found, ...selection };
}
