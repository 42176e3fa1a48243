import { findMetric } from "../metrics/metric-catalog.js";

/**
 * Experiment settings that change what a score means. A delta between runs
 * that differ in one of them measures the setting, not the change under
 * review, so the gate reports it but does not gate on it. Task settings
 * (task model, prompt, temperature) are left out on purpose: they are what a
 * pull request changes.
 */
interface ScoreSetting {
  field: string;
  label: string;
  affects(metric: string): boolean;
}

/** Judge settings matter to judge metrics, and to metrics the catalog does not know. */
const usesJudge = (metric: string): boolean => (findMetric(metric)?.kind ?? "judge") === "judge";
const everyMetric = (): boolean => true;

export const SCORE_SETTINGS: readonly ScoreSetting[] = [
  { field: "judge_provider", label: "judge provider", affects: usesJudge },
  { field: "judge_model", label: "judge model", affects: usesJudge },
  { field: "output_format", label: "output format settings", affects: (metric) => metric === "output_format" || !findMetric(metric) },
  { field: "metric_settings", label: "metric settings", affects: everyMetric },
  { field: "dataset_version", label: "dataset version", affects: everyMetric },
  { field: "dataset_version_id", label: "dataset version", affects: everyMetric },
];

export interface SettingDifference {
  field: string;
  label: string;
  current: unknown;
  baseline: unknown;
}

/** The settings that differ between the two experiments and affect `metric`. */
export function settingDifferences(metric: string, current: Record<string, unknown>, baseline: Record<string, unknown>): SettingDifference[] {
  return SCORE_SETTINGS.filter((setting) => setting.affects(metric) && stableJson(current[setting.field]) !== stableJson(baseline[setting.field])).map(
    (setting) => ({
      field: setting.field,
      label: setting.label,
      current: current[setting.field],
      baseline: baseline[setting.field],
    }),
  );
}

export function describeDifference(difference: SettingDifference): string {
  return `${difference.label} ${show(difference.baseline)} in the baseline, ${show(difference.current)} now`;
}

function show(value: unknown): string {
  if (value === undefined) return "not recorded";
  const text = typeof value === "string" ? value : stableJson(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** JSON with sorted keys, so equal settings compare equal whatever order they were written in. */
function stableJson(value: unknown): string {
  if (value === undefined) return "undefined";
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
