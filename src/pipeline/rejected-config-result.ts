import { TASK_ID } from "../constants.js";
import { parseList, withDefaults, type RawInputs } from "../config/raw-inputs.js";
import { emptyUsage } from "./usage-meter.js";
import type { RunResult } from "../run-result.js";

/**
 * The result of a run whose configuration was rejected: nothing ran, and
 * errors lists every problem. The original job's fields echo the inputs where they
 * read as the field's type (0, empty or false where they do not); the window
 * is empty because none was computed.
 */
export function rejectedConfigResult(rawInputs: Partial<RawInputs>, problems: readonly string[]): RunResult {
  const raw = withDefaults(rawInputs);
  const whole = (text: string): number => (/^\d+$/.test(text) ? Number(text) : 0);
  return {
    status: "failed",
    taskId: TASK_ID,
    dateString: raw["date-string"],
    experimentType: raw["experiment-type"],
    maxItems: whole(raw["max-items"]),
    lookbackHours: whole(raw["lookback-hours"]),
    metrics: parseList(raw.metrics),
    taskProvider: raw["task-provider"],
    cleanupErrors: raw["cleanup-errors"].toLowerCase() === "true",
    cleanupResult: null,
    spansFound: 0,
    spansNew: 0,
    datasetName: null,
    experiment: null,
    errors: [...problems],
    warnings: [],
    project: raw["opik-project"],
    window: { start: "", end: "" },
    spansDeferred: 0,
    spansSampledOut: 0,
    resumed: false,
    usage: { task: emptyUsage(), judge: emptyUsage(), costUsd: 0 },
    budgetLimited: false,
    mode: rejectedMode(raw.mode),
    cleanup: { state: "not-run", reason: "the configuration was rejected" },
    spansCounted: false,
    runId: "",
    overlap: { waitedSeconds: 0, busy: false, datasetsLeasedByOthers: [] },
    configRejected: true,
  };
}

/** The mode a rejected run asked for, as far as it can be read. */
function rejectedMode(mode: string): RunResult["mode"] {
  const requested = mode.trim().toLowerCase();
  return requested === "evaluate" || requested === "report" ? requested : "harvest";
}
