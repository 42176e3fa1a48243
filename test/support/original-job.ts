/** The original job's result structure, in its order (docs/architecture.md, "The original job"). */
export const ORIGINAL_JOB_KEYS = [
  "status",
  "task_id",
  "date_string",
  "experiment_type",
  "max_items",
  "lookback_hours",
  "metrics",
  "task_provider",
  "cleanup_errors",
  "cleanup_result",
  "spans_found",
  "spans_new",
  "dataset_name",
  "experiment_result",
  "errors",
  "warnings",
] as const;
