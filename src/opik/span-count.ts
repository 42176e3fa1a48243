import type { Opik } from "opik";
import { OpikError } from "../errors.js";
import type { OpikFilter } from "../types.js";

type RequestOptions = Parameters<Opik["api"]["spans"]["getSpansByProject"]>[1];

/**
 * Counts matching spans from the `total` of a one-row, truncated page of
 * `GET /v1/private/spans`, so counting 20,000 spans costs one small response
 * instead of their payloads.
 */
export async function countSpanPage(api: Opik["api"], projectName: string, filters: readonly OpikFilter[], projectExists: () => Promise<boolean>, options: RequestOptions): Promise<number> {
  try {
    const page = await api.spans.getSpansByProject({ projectName, filters: JSON.stringify(filters), page: 1, size: 1, truncate: true }, options);
    return page.total ?? 0;
  } catch (error) {
    // The page endpoint answers an unknown project with 404 where the span search answers an
    // empty stream: report no spans and leave it to the caller to say the project is missing.
    if ((error as { statusCode?: number }).statusCode === 404 && !(await projectExists())) return 0;
    throw new OpikError("span count", error);
  }
}
