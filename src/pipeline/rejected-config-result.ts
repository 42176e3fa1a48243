import { TASK_ID } from "../constants.js";
import { parseList, withDefaults, type RawInputs } from "../config/raw-inputs.js";
import { emptyUsage } from "./usage-meter.js";
import type { PipelineResult } from "../run-result.js";

/**
 * The result of a run whose configuration was rejected: nothing ran, and
 * errors lists every problem. The original job's fields echo the inputs where they
 * read as the field's type (0, empty or false where they do not); the window
 * is empty because none was computed.
 */
export function rejectedConfigResult(rawInputs: Partial<RawInputs>, problems: readonly string[]): PipelineResult {
  const raw = withDefaults(rawInputs);
  const whole = (text: string): number => (/^\d+$/.test(text) ? Number(text) : 0);
  return {
    status: "failed",
    task_id: TASK_ID,
    date_string: raw["date-string"],
    experiment_type: raw["experiment-type"],
    max_items: whole(raw["max-items"]),
    lookback_hours: whole(raw["lookback-hours"]),
    metrics: parseList(raw.metrics),
    task_provider: raw["task-provider"],
    cleanup_errors: raw["cleanup-errors"].toLowerCase() === "true",
    cleanup_result: null,
    spans_found: 0,
    spans_new: 0,
    dataset_name: null,
    experiment_result: null,
    errors: [...problems],
    warnings: [],
    project: raw["opik-project"],
    window: { start: "", end: "" },
    spans_deferred: 0,
    spans_sampled_out: 0,
    resumed: false,
    usage: { task: emptyUsage(), judge: emptyUsage(), cost_usd: 0 },
    budget_limited: false,
    mode: raw.mode.trim().toLowerCase() === "evaluate" ? "evaluate" : "harvest",
    cleanup: { state: "not-run", reason: "the configuration was rejected" },
    run_id: "",
    overlap: { waited_seconds: 0, busy: false, datasets_leased_by_others: [] },
    spans_counted: false,
    config_rejected: true,
  };
}
