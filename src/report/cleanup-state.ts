import type { CleanupState, RunResult } from "../run-result.js";

/**
 * What happened to Step 0. Results written before `cleanup` existed say it
 * only through cleanupResult and cleanupErrors, so the state is inferred
 * from those, never assumed to be "off".
 */
export function cleanupState(result: RunResult): CleanupState {
  const recorded = (result as Partial<RunResult>).cleanup;
  if (recorded) return recorded;
  if (result.cleanupResult) return { state: "done" };
  return result.cleanupErrors ? { state: "not-run", reason: "the result does not say why" } : { state: "off" };
}
