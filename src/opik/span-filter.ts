import { OpikQueryLanguage } from "opik";
import { errorMessage } from "../errors.js";
import type { FilterOperator, OpikFilter } from "../types.js";

/**
 * Parses an Opik filter expression for spans (`model = "gpt-4o" AND
 * usage.total_tokens > 100`) with the SDK's own parser, so the `filter` input
 * accepts exactly what Opik's UI and SDK accept. Pure: no network.
 */
export function parseSpanFilter(text: string): { filters: OpikFilter[] } | { problem: string } {
  try {
    const expressions = OpikQueryLanguage.forSpans(text).getFilterExpressions() ?? [];
    return {
      filters: expressions.map((e) => ({
        field: e.field,
        operator: e.operator as FilterOperator,
        // Operators without a value (is_empty) still need one on the wire.
        value: e.value ?? "",
        ...(e.key ? { key: e.key } : {}),
      })),
    };
  } catch (error) {
    return { problem: errorMessage(error) };
  }
}
