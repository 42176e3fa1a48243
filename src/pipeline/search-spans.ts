import type { OpikGateway } from "../opik/opik-gateway.js";
import type { OpikFilter, SpanRecord } from "../types.js";
import { startTimeFilters } from "./time-window.js";

/**
 * Step 1: LLM spans of the feature that started inside the window, with full
 * payloads. Already-added spans are not filtered out server-side: the seed's
 * spans_found counts them.
 */
export function searchSpans(opik: OpikGateway, spanName: string, window: { start: Date; end: Date }, extraFilters: readonly OpikFilter[] = []): AsyncIterable<SpanRecord> {
  return opik.searchSpans([
    { field: "name", operator: "=", value: spanName },
    { field: "type", operator: "=", value: "llm" },
    ...startTimeFilters(window),
    ...extraFilters,
  ]);
}
