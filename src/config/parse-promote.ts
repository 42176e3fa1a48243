import { describeMetric } from "../metrics/metric-catalog.js";
import type { CustomJudges } from "../metrics/metric-settings.js";
import { PROMOTE_DEFAULTS } from "../constants.js";
import type { FeatureConfig } from "./feature-registry.js";

/** `features.<type>.test_suite` with promotion on: what a scheduled run adds to the suite, and how it creates one. */
export interface PromoteSettings {
  suiteName: string;
  /**
   * Metric → the bounds each item must stay within (inclusive, as `thresholds` bounds a mean);
   * an item scored outside them, or whose score failed, is promoted.
   */
  bounds: Record<string, { min?: number; max?: number }>;
  /** Suite-level assertions, written when the run creates the suite. */
  assertions: string[];
  /** Written when the run creates the suite; defaults as the SDK's DEFAULT_EXECUTION_POLICY. */
  executionPolicy: { runsPerItem: number; passThreshold: number };
  maxPerRun: number;
}

/**
 * Reads `test_suite` for promotion. Every problem names the key; settings that only promotion reads are refused
 * without it, so none is accepted and ignored.
 */
export function parsePromote(options: {
  feature: FeatureConfig | undefined;
  experimentType: string;
  file: string;
  /** The metrics this run evaluates: a bound on another one could never flag an item. */
  metrics: readonly string[];
  judges: CustomJudges;
}): { settings?: PromoteSettings; problems: string[] } {
  const suite = options.feature?.test_suite;
  const key = `${options.file}: features.${options.experimentType}.test_suite`;
  if (!suite) return { problems: [] };
  const problems: string[] = [];
  if (suite.promote === undefined || suite.promote === false) {
    for (const name of ["assertions", "execution_policy", "max_per_run"] as const) {
      if (suite[name] !== undefined) problems.push(`${key}.${name}: only used by promote, which is not set (e.g. promote: true)`);
    }
    return { problems };
  }
  let bounds: Record<string, { min?: number; max?: number }>;
  if (suite.promote === true) {
    const thresholds = options.feature?.thresholds ?? {};
    bounds = Object.fromEntries(Object.entries(thresholds).filter(([name]) => options.metrics.includes(name)));
    if (Object.keys(bounds).length === 0) {
      problems.push(
        `${key}.promote: true applies features.${options.experimentType}.thresholds to each item, but none is set for the metrics evaluated (${options.metrics.join(", ")}); set thresholds or give bounds, e.g. promote: { output_format: { min: 0.5 } }`,
      );
    }
  } else {
    bounds = suite.promote;
    if (Object.keys(bounds).length === 0) problems.push(`${key}.promote: needs at least one metric's bounds, e.g. { output_format: { min: 0.5 } }`);
    for (const name of Object.keys(bounds)) {
      if (!describeMetric(name, options.judges)) problems.push(`${key}.promote.${name}: unknown metric`);
      else if (!options.metrics.includes(name))
        problems.push(`${key}.promote.${name}: not among the metrics this run evaluates (${options.metrics.join(", ")}), so it could never flag an item`);
    }
  }
  if (problems.length) return { problems };
  return {
    settings: {
      suiteName: suite.name ?? `${options.experimentType}${PROMOTE_DEFAULTS.suiteSuffix}`,
      bounds,
      assertions: suite.assertions ?? [],
      executionPolicy: { runsPerItem: suite.execution_policy?.runs_per_item ?? 1, passThreshold: suite.execution_policy?.pass_threshold ?? 1 },
      maxPerRun: suite.max_per_run ?? PROMOTE_DEFAULTS.maxPerRun,
    },
    problems,
  };
}
