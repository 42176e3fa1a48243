/**
 * Per-metric options and custom judges from the feature config, as plain
 * types: src/config validates the YAML into these, metrics read them. Keys
 * stay snake_case, as the user wrote them, so an error or an experiment's
 * recorded settings read the same as the file.
 */

export type MetricDirection = "higher-is-better" | "lower-is-better";

export interface MetricSettings {
  regex_match?: { pattern: string; flags?: string };
  contains?: { substring: string; case_sensitive?: boolean };
  /** `field`: dotted path into the dataset item's data; without it the span's recorded output. */
  exact_match?: { field?: string };
  levenshtein_ratio?: { field?: string };
  g_eval?: { task_introduction: string; evaluation_criteria: string };
  performance?: PerformanceBudgets;
  agent_trajectory?: { max_depth?: number };
}

export interface PerformanceBudgets {
  max_duration_ms?: number;
  max_tokens?: number;
  max_cost_usd?: number;
}

/** A judge prompt of the user's own whose reply must be one of a fixed set of labels (rails). */
export interface CustomJudgeSpec {
  /** Mustache template: {{input}}, {{output}}, {{expected}} and the item's data fields. */
  prompt: string;
  /** Label → score. */
  rails: Record<string, number>;
  /** Ask for a JSON reply with an explanation, kept as the score's reason. */
  explanation?: boolean;
  direction?: MetricDirection;
}

export type CustomJudges = Readonly<Record<string, CustomJudgeSpec>>;
