import type { ItemOutcome } from "../types.js";
import { describeDifference, settingDifferences } from "./compare-configs.js";
import { compareWithBaseline, type BaselineComparison } from "./compare-with-baseline.js";
import { correctForFamily } from "./family-correction.js";
import { findFlakyItems } from "./find-flaky-items.js";
import { withinThreshold } from "./threshold-check.js";
import { SCORE_EPSILON, VERDICT_STATES } from "./defaults.js";
import { fixed } from "./format-number.js";
import { directionOf, isKnownMetric } from "./metric-direction.js";
import { standardDeviation } from "./cluster-bootstrap.js";
import type { Direction, GateInput, GateVerdict, MetricOutcome, MetricVerdict, Threshold, VerdictState } from "./types.js";

/**
 * The gate: the run's scores against thresholds and against the baseline.
 * Pure and total: whatever the run did, the answer is a verdict value, never
 * an exception, so the report and the comment always go out first.
 */
export function computeVerdict(input: GateInput): GateVerdict {
  const { run, settings } = input;
  const { result, items } = run;
  const notes: string[] = [];
  const reasons: string[] = [];
  const conditions = new Set<VerdictState>();
  const itemCounts = countItems(items);

  if (result.status === "skipped") {
    conditions.add("skipped");
    reasons.push("The run was skipped: no new spans to evaluate.");
    return finish({ conditions, reasons, notes, metrics: [], itemCounts, input });
  }

  if (result.status === "failed") {
    conditions.add("error");
    reasons.push(`The run failed: ${result.errors[0] ?? "see the run's errors"}`);
  }
  // A slice is gated with the others, by the job that pools them; only a failure to produce it fails here.
  if (input.deferred) {
    if (!conditions.size) {
      conditions.add("skipped");
      reasons.push(input.deferred);
    }
    return finish({ conditions, reasons, notes, metrics: [], itemCounts, input: { ...input, settings: { ...settings, failOn: ["error"] } } });
  }
  if (itemCounts.total > 0 && itemCounts.errorRate > settings.maxErrorRate + SCORE_EPSILON) {
    conditions.add("error");
    reasons.push(
      `${itemCounts.errored} of ${itemCounts.total} items (${percent(itemCounts.errorRate)}) had a task error or a failed score, above max-error-rate ${percent(settings.maxErrorRate)}.`,
    );
  }
  if (result.budgetLimited) notes.push("max-cost-usd stopped the run before every item was evaluated; the scores cover the items evaluated.");

  const baseline = input.baseline && "items" in input.baseline ? input.baseline : undefined;
  if (input.baseline && "missing" in input.baseline) {
    if (input.baseline.problem) {
      conditions.add("error");
      reasons.push(`Baseline: ${input.baseline.missing}`);
    } else {
      notes.push(`No baseline: ${input.baseline.missing}`);
    }
  }

  const names = metricNames(result.metrics, items);
  for (const name of Object.keys(settings.thresholds)) {
    if (!names.includes(name)) notes.push(`The threshold on ${name} is ignored: this run does not score it.`);
  }
  for (const name of Object.keys(settings.maxRegression.perMetric)) {
    if (!names.includes(name)) notes.push(`max-regression for ${name} is ignored: this run does not score it.`);
  }

  const directions = new Map(names.map((name) => [name, metricDirection(name, input, notes)]));
  const direction = (name: string): Direction => directions.get(name) ?? directionOf(name);
  const comparisons = new Map<string, BaselineComparison>();
  if (baseline) for (const name of names) comparisons.set(name, compareWithBaseline(name, direction(name), items, baseline, input));
  const primary = (settings.primaryMetrics ?? []).filter((name) => names.includes(name));
  const correction = correctForFamily(comparisons, primary);
  for (const name of settings.primaryMetrics ?? []) if (!names.includes(name)) notes.push(`primary_metric ${name} is ignored: this run does not score it.`);
  const judged = names.map((name) => judgeMetric(name, direction(name), input, comparisons.get(name), primary.includes(name), notes));
  const metrics = judged.map((j) => j.verdict);
  for (const state of ["fail-threshold", "fail-regression", "insufficient-data"] as const) {
    for (const { verdict, findings } of judged) {
      for (const finding of findings.filter((f) => f.outcome === state)) {
        conditions.add(state);
        reasons.push(`${verdict.name}: ${finding.text}`);
      }
    }
  }
  const differences = new Set<string>();
  if (baseline) {
    for (const name of names)
      for (const difference of settingDifferences(name, input.currentConfig ?? {}, baseline.config)) differences.add(describeDifference(difference));
  }
  if (!Object.keys(settings.thresholds).some((name) => names.includes(name)) && !baseline) {
    notes.push("Nothing was gated: no thresholds apply to this run's metrics and there is no baseline.");
  }
  const baselinePrompt = baseline?.config.prompt_version;
  const baselineSummary = baseline
    ? {
        experimentName: baseline.experimentName,
        comparable: differences.size === 0,
        ...(differences.size ? { why: [...differences].join("; ") } : {}),
        ...(typeof baselinePrompt === "string" ? { promptVersion: baselinePrompt } : {}),
      }
    : undefined;
  const repeats = Math.max(0, ...items.map((item) => item.runs?.length ?? 0));
  const extras: Pick<GateVerdict, "correction" | "flakyItems" | "repeats"> = {
    ...(comparisons.size ? { correction } : {}),
    ...(repeats > 1 ? { repeats, flakyItems: findFlakyItems(items, settings.thresholds, direction) } : {}),
  };
  return { ...finish({ conditions, reasons, notes, metrics, itemCounts, input, ...(baselineSummary ? { baseline: baselineSummary } : {}) }), ...extras };
}

/** The run records each metric's direction (custom judges included); the catalog is the fallback. */
function metricDirection(name: string, input: GateInput, notes: string[]): Direction {
  const recorded = input.run.result.experiment?.evalResults[name]?.direction;
  if (!recorded && !isKnownMetric(name)) notes.push(`${name} is not in the metric catalog; it is read as higher-is-better.`);
  return recorded ?? directionOf(name);
}

interface ItemCounts {
  total: number;
  taskErrors: number;
  failedScores: number;
  errored: number;
  errorRate: number;
}

function countItems(items: readonly ItemOutcome[]): ItemCounts {
  const taskErrors = items.filter((item) => item.taskError !== undefined).length;
  const failedScores = items.reduce((sum, item) => sum + Object.keys(item.failedMetrics).length, 0);
  const errored = items.filter((item) => item.taskError !== undefined || Object.keys(item.failedMetrics).length > 0).length;
  return { total: items.length, taskErrors, failedScores, errored, errorRate: items.length ? errored / items.length : 0 };
}

/** The run's metrics in its own order, then any other metric an item was scored on. */
function metricNames(declared: readonly string[], items: readonly ItemOutcome[]): string[] {
  const names = [...declared];
  for (const item of items) {
    for (const name of [...Object.keys(item.scores), ...Object.keys(item.failedMetrics)]) if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** What one check found about a metric, and the outcome it implies, if any. */
interface Finding {
  outcome?: MetricOutcome;
  text: string;
}

function judgeMetric(
  name: string,
  direction: Direction,
  input: GateInput,
  comparison: BaselineComparison | undefined,
  primary: boolean,
  notes: string[],
): { verdict: MetricVerdict; findings: Finding[] } {
  const { items } = input.run;
  const values = items.flatMap((item) => {
    const value = item.scores[name]?.value;
    return typeof value === "number" && Number.isFinite(value) ? [value] : [];
  });
  const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  const verdict: MetricVerdict = {
    name,
    direction,
    mean,
    count: values.length,
    failed: items.filter((item) => name in item.failedMetrics).length,
    outcome: "not-gated",
    reason: "",
    ...(primary ? { primary } : {}),
  };
  const spread = meanSpread(items, name);
  if (spread !== undefined) verdict.spread = spread;
  const findings: Finding[] = [];

  const threshold = input.settings.thresholds[name];
  if (threshold) {
    verdict.threshold = { ...threshold };
    const against = direction === "lower-is-better" ? threshold.min !== undefined : threshold.max !== undefined;
    if (against)
      notes.push(
        `${name}: the threshold sets a ${direction === "lower-is-better" ? "minimum although lower" : "maximum although higher"} is better, as written.`,
      );
    if (mean === null) {
      findings.push({ outcome: "insufficient-data", text: "no scores to hold against the threshold" });
    } else {
      verdict.thresholdPassed = withinThreshold(mean, threshold);
      findings.push({ outcome: verdict.thresholdPassed ? "pass" : "fail-threshold", text: thresholdReason(mean, threshold, verdict.thresholdPassed) });
    }
  }

  if (comparison) {
    Object.assign(verdict, comparison.fields);
    findings.push({ ...(comparison.outcome ? { outcome: comparison.outcome } : {}), text: comparison.reason });
  }

  verdict.outcome =
    (["fail-threshold", "fail-regression", "insufficient-data", "pass"] as const).find((o) => findings.some((f) => f.outcome === o)) ?? "not-gated";
  verdict.reason = findings.length ? findings.map((f) => f.text).join("; ") : "not gated: no threshold and no baseline";
  return { verdict, findings };
}

export { withinThreshold } from "./threshold-check.js";

/** Mean over the items run more than once of the standard deviation of their repeats. */
function meanSpread(items: readonly ItemOutcome[], name: string): number | undefined {
  const spreads = items.flatMap((item) => {
    const values = (item.runs ?? []).flatMap((run) => (typeof run.scores[name] === "number" ? [run.scores[name]] : []));
    return values.length > 1 ? [standardDeviation(values)] : [];
  });
  return spreads.length ? spreads.reduce((a, b) => a + b, 0) / spreads.length : undefined;
}

function thresholdReason(mean: number, threshold: Threshold, passed: boolean): string {
  if (passed) return `mean ${fixed(mean)} is within the threshold`;
  if (threshold.min !== undefined && mean < threshold.min) return `mean ${fixed(mean)} is below the minimum ${fixed(threshold.min)}`;
  return `mean ${fixed(mean)} is above the maximum ${fixed(threshold.max ?? Number.NaN)}`;
}

function finish(parts: {
  conditions: Set<VerdictState>;
  reasons: string[];
  notes: string[];
  metrics: MetricVerdict[];
  itemCounts: ItemCounts;
  input: GateInput;
  baseline?: GateVerdict["baseline"];
}): GateVerdict {
  const { failOn } = parts.input.settings;
  const conditions = VERDICT_STATES.filter((state) => parts.conditions.has(state));
  const state = conditions[0] ?? "pass";
  return {
    state,
    passed: state === "pass",
    failsStep: conditions.some((condition) => condition !== "pass" && failOn.includes(condition)),
    conditions: conditions.length ? conditions : ["pass"],
    reasons: parts.reasons,
    metrics: parts.metrics,
    notes: [...new Set(parts.notes)],
    items: {
      total: parts.itemCounts.total,
      taskErrors: parts.itemCounts.taskErrors,
      failedScores: parts.itemCounts.failedScores,
      errorRate: parts.itemCounts.errorRate,
    },
    ...(parts.baseline ? { baseline: parts.baseline } : {}),
    failOn,
  };
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}
