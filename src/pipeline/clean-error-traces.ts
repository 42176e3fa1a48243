import { EVALUATION_TRACE_NAME } from "../constants.js";
import type { OpikGateway } from "../opik/opik-gateway.js";
import type { OpikFilter, TraceRecord } from "../types.js";
import type { CleanupResult, CleanupState, ErrorPattern } from "../run-result.js";
import { classifyErrorTrace } from "./classify-error-trace.js";
import { startTimeFilters } from "./time-window.js";

/** Step 0's state before the run starts: only a harvest with cleanup-errors on will run it. */
export function plannedCleanup(mode: "harvest" | "evaluate" | "report", cleanupErrors: boolean): CleanupState {
  if (mode !== "harvest") return { state: "not-run", reason: `${mode} mode changes no production data` };
  return cleanupErrors ? { state: "not-run", reason: "the run stopped before Step 0" } : { state: "off" };
}

/**
 * Step 0: delete the project's error traces that started in the window. Opik's
 * filters have no OR, so candidates come from one query per signal; each is
 * then confirmed client-side, because `output contains "error"` also matches
 * `"error": null` and words such as "errorless". The action's own evaluation
 * traces are neither counted nor deleted: they are left out by name on the
 * server (the one trace field every Opik version filters on) and again when
 * classified, in case a server ignores the filter.
 */
export async function cleanErrorTraces(opik: OpikGateway, window: { start: Date; end: Date }): Promise<CleanupResult> {
  // Opik answers a trace search or count on a project that does not exist with 404: it has no traces to clean, and
  // the harvest names the missing project as the input at fault.
  if (!(await opik.projectExists())) return { project: opik.projectName, totalTraces: 0, errorTraces: 0, deleted: 0, errorPatterns: {} };
  const inWindow: OpikFilter[] = [...startTimeFilters(window), { field: "name", operator: "!=", value: EVALUATION_TRACE_NAME }];
  const candidateQueries: OpikFilter[][] = [
    [...inWindow, { field: "error_info", operator: "is_not_empty", value: "" }],
    [...inWindow, { field: "output", operator: "contains", value: "error" }],
    [...inWindow, { field: "output", operator: "contains", value: "exception" }],
  ];
  const candidates = new Map<string, TraceRecord>();
  for (const filters of candidateQueries) {
    for await (const trace of opik.searchTraces(filters, { exclude: ["input", "metadata"] })) candidates.set(trace.id, trace);
  }

  const errorPatterns: Partial<Record<ErrorPattern, number>> = {};
  const errorIds: string[] = [];
  for (const trace of candidates.values()) {
    const pattern = classifyErrorTrace(trace);
    if (!pattern) continue;
    errorIds.push(trace.id);
    errorPatterns[pattern] = (errorPatterns[pattern] ?? 0) + 1;
  }
  const totalTraces = await opik.countTraces(inWindow);
  await opik.deleteTraces(errorIds);
  return { project: opik.projectName, totalTraces, errorTraces: errorIds.length, deleted: errorIds.length, errorPatterns };
}
