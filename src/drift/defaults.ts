/**
 * The drift check's fixed settings. The false-alarm budget is per run: whatever the number of metrics and health
 * signals, the chance that a stable feature raises any of them on one run stays under it (Bonferroni across signals;
 * test/drift/false-alarm.test.ts measures the rate).
 */
export const DRIFT_FALSE_ALARM_BUDGET = 0.01;
/** Fewer scored items than this in either window and a metric is insufficient-data. */
export const DRIFT_MIN_ITEMS = 30;
/** Runs of the recent window a health signal needs recorded, at least. */
export const DRIFT_MIN_HEALTH_RUNS = 3;
/** Worst items of the recent window listed per drifting metric, and in all. */
export const DRIFT_WORST_ITEMS = { perMetric: 5, total: 10 } as const;
