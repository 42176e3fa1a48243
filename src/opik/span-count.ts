import type { Opik } from "opik";
import { OpikError } from "../errors.js";
import type { OpikFilter } from "../types.js";

/** The gateway's retrying call (src/opik/opik-call.ts). */
export type OpikCall = <T>(operation: string, fn: () => Promise<T>) => Promise<T>;

type RequestOptions = Parameters<Opik["api"]["spans"]["getSpansByProject"]>[1];

/**
 * Counts matching spans from the `total` of a one-row, truncated page of
 * `GET /v1/private/spans`, so counting 20,000 spans costs one small response
 * instead of their payloads.
 */
export async function countSpanPage(
  call: OpikCall,
  api: Opik["api"],
  projectName: string,
  filters: readonly OpikFilter[],
  projectExists: () => Promise<boolean>,
  options: RequestOptions,
): Promise<number> {
  try {
    const page = await call("span count", () =>
      api.spans.getSpansByProject({ projectName, filters: JSON.stringify(filters), page: 1, size: 1, truncate: true }, options),
    );
    return page.total ?? 0;
  } catch (error) {
    // The page endpoint answers an unknown project with 404 where the span search answers an
    // empty stream: report no spans and leave it to the caller to say the project is missing.
    if (error instanceof OpikError && error.status === 404 && !(await projectExists())) return 0;
    throw error;
  }
}
