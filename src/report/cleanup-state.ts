import type { CleanupState, PipelineResult } from "../run-result.js";

/**
 * What happened to Step 0. Results written before `cleanup` existed say it
 * only through cleanup_result and cleanup_errors, so the state is inferred
 * from those, never assumed to be "off".
 */
export function cleanupState(result: PipelineResult): CleanupState {
  const recorded = (result as Partial<PipelineResult>).cleanup;
  if (recorded) return recorded;
  if (result.cleanup_result) return { state: "done" };
  return result.cleanup_errors ? { state: "not-run", reason: "the result does not say why" } : { state: "off" };
}
