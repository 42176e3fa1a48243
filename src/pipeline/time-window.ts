import type { OpikFilter } from "../types.js";

/** Opik filters for entities that started inside [start, end). */
export function startTimeFilters(window: { start: Date; end: Date }): OpikFilter[] {
  return [
    { field: "start_time", operator: ">=", value: window.start.toISOString() },
    { field: "start_time", operator: "<", value: window.end.toISOString() },
  ];
}

/** `YYYYMMDD-HHMMSS` in UTC, the stamp shared by a run's dataset and experiment names. */
export function runStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}
