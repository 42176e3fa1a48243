import { withinThreshold } from "../gate/compute-verdict.js";
import { SCORE_EPSILON } from "../gate/defaults.js";
import { fixed, interval, signed } from "../gate/format-number.js";
import type { GateVerdict, MetricVerdict, Threshold, VerdictState } from "../gate/types.js";
import type { PromptVersionOutcome } from "../run-result.js";
import type { ItemOutcome } from "../types.js";
import { CELL_CHARS, DEFAULT_GATE_SECTION_BYTES, ITEM_DETAIL, LINE_CHARS, MAX_NOTES_SHOWN } from "./limits.js";
import { renderStatistics } from "./render-statistics.js";
import { codeBlock, details, escapeCell, escapeHtmlText, escapeInline, fitMarkdown, link, measureBytes, table } from "./markdown.js";

/** How much item detail a rendering carries; the budget walks down these until the text fits. */
export interface DetailLevel {
  worstItems: number;
  /** 0 leaves the item's input and output out. */
  textChars: number;
  reasonChars: number;
  taskErrors: number;
  notes: number;
}

export const DETAIL_LEVELS: readonly DetailLevel[] = [
  {
    worstItems: ITEM_DETAIL.worstItems,
    textChars: ITEM_DETAIL.textChars,
    reasonChars: ITEM_DETAIL.reasonChars,
    taskErrors: ITEM_DETAIL.taskErrors,
    notes: MAX_NOTES_SHOWN,
  },
  { worstItems: ITEM_DETAIL.worstItems, textChars: 200, reasonChars: 200, taskErrors: 5, notes: MAX_NOTES_SHOWN },
  { worstItems: 3, textChars: 0, reasonChars: 120, taskErrors: 3, notes: 10 },
  { worstItems: 0, textChars: 0, reasonChars: 0, taskErrors: 0, notes: 5 },
];

const STATE_TITLE: Record<VerdictState, string> = {
  pass: "✅ passed",
  "fail-threshold": "❌ threshold not met",
  "fail-regression": "❌ regression against the baseline",
  error: "⛔ the run broke",
  "insufficient-data": "⚠️ insufficient data",
  skipped: "⏭️ skipped",
};

export function verdictTitle(verdict: GateVerdict): string {
  return STATE_TITLE[verdict.state];
}

/** Whether this verdict fails the step, and by which fail-on entry, in one line. */
export function failLine(verdict: GateVerdict): string {
  const failOn = verdict.failOn.length ? verdict.failOn.join(", ") : "none";
  if (verdict.failsStep) {
    const because = verdict.conditions.filter((c) => c !== "pass" && verdict.failOn.some((f) => f === c));
    return `**This fails the step** (fail-on: ${failOn}; applies: ${because.join(", ")}).`;
  }
  if (verdict.passed) return `The gate passed (fail-on: ${failOn}).`;
  return `Not failing the step: ${verdict.conditions.join(", ")} is not in fail-on (${failOn}).`;
}

function thresholdCell(threshold: Threshold | undefined): string {
  if (!threshold) return "–";
  if (threshold.min !== undefined && threshold.max !== undefined) return `${fixed(threshold.min)} – ${fixed(threshold.max)}`;
  if (threshold.min !== undefined) return `≥ ${fixed(threshold.min)}`;
  return threshold.max !== undefined ? `≤ ${fixed(threshold.max)}` : "–";
}

function scoreCell(metric: MetricVerdict): string {
  const failed = metric.failed ? `, ${metric.failed} failed` : "";
  return metric.mean === null ? `– (0 scored${failed})` : `${fixed(metric.mean)} (n=${metric.count}${failed})`;
}

function deltaCell(metric: MetricVerdict): string {
  if (metric.delta === undefined) return "–";
  const ci = metric.ci ? ` ${interval(metric.ci)}` : "";
  return `${signed(metric.delta)}${ci} (n=${metric.pairedCount ?? 0})`;
}

const OUTCOME_CELL: Record<MetricVerdict["outcome"], string> = {
  pass: "✅ pass",
  "fail-threshold": "❌ threshold",
  "fail-regression": "🔻 regression",
  "insufficient-data": "⚠️ insufficient data",
  "not-gated": "– not gated",
};

const REGRESSION_NOTE: Record<NonNullable<MetricVerdict["regression"]>, string> = {
  regression: "",
  noise: "≈ noise",
  improvement: "🟢 improved",
  "not-compared": "⚠️ Δ not comparable",
};

function verdictCell(metric: MetricVerdict): string {
  const { outcome, regression } = metric;
  // Insufficient data already says why the delta is not gated; a missing delta has nothing to qualify.
  const qualifies =
    regression && regression !== "regression" && outcome !== "insufficient-data" && !(regression === "not-compared" && metric.delta === undefined);
  if (!qualifies) return OUTCOME_CELL[outcome];
  return outcome === "not-gated" ? REGRESSION_NOTE[regression] : `${OUTCOME_CELL[outcome]} · ${REGRESSION_NOTE[regression]}`;
}

export function renderMetricTable(verdict: GateVerdict): string {
  const rows = verdict.metrics.map((m) => [
    `${escapeCell(m.name, CELL_CHARS)} ${m.direction === "lower-is-better" ? "↓" : "↑"}`,
    scoreCell(m),
    thresholdCell(m.threshold),
    m.baselineMean === undefined ? "–" : fixed(m.baselineMean),
    deltaCell(m),
    verdictCell(m),
  ]);
  return table(["Metric", "Score", "Threshold", "Baseline", "Δ (95% CI)", "Verdict"], rows);
}

function bulletList(lines: readonly string[], limit: number): string {
  const shown = lines.slice(0, limit).map((line) => `- ${escapeInline(line, LINE_CHARS)}`);
  if (lines.length > limit) shown.push(`- … and ${lines.length - limit} more`);
  return shown.join("\n");
}

/** Which prompt version ran, and the baseline's when it recorded one: Opik names versions by commit. */
function promptLine(prompt: PromptVersionOutcome, baselineVersion: string | undefined): string {
  const name = escapeInline(prompt.name, CELL_CHARS);
  const current = `\`${escapeInline(prompt.commit, CELL_CHARS)}\``;
  const versions = link("versions in Opik", prompt.url);
  if (baselineVersion === undefined) return `Prompt ${name}: ${current} (${versions}).`;
  if (baselineVersion === prompt.commit) return `Prompt ${name}: ${current}, unchanged since the baseline (${versions}).`;
  return `Prompt ${name}: \`${escapeInline(baselineVersion, CELL_CHARS)}\` (baseline) → ${current} (this run) (${versions}).`;
}

/** The verdict's body shared by the comment and the job summary: why, the table, the baseline, the prompt version, the notes. */
export function renderVerdictBody(verdict: GateVerdict, level: DetailLevel, prompt?: PromptVersionOutcome): string[] {
  const blocks: string[] = [failLine(verdict)];
  if (verdict.reasons.length) blocks.push(bulletList(verdict.reasons, MAX_NOTES_SHOWN));
  if (verdict.metrics.length) blocks.push(renderMetricTable(verdict));
  blocks.push(...renderStatistics(verdict, level.worstItems * 2));
  if (verdict.baseline) {
    const name = escapeInline(verdict.baseline.experimentName, CELL_CHARS);
    blocks.push(
      verdict.baseline.comparable
        ? `Baseline: ${name} (same judge, metric settings and dataset version).`
        : `⚠️ Baseline ${name} is not comparable: ${escapeInline(verdict.baseline.why ?? "settings differ", LINE_CHARS)}. Deltas are shown, not gated.`,
    );
  }
  if (prompt) blocks.push(promptLine(prompt, verdict.baseline?.promptVersion));
  if (verdict.notes.length && level.notes > 0) blocks.push(`**Notes**\n\n${bulletList(verdict.notes, level.notes)}`);
  return blocks;
}

/** The metric the worst items are ranked by: the one that failed the gate, else the first gated, else the first scored. */
export function rankingMetric(verdict: GateVerdict): MetricVerdict | undefined {
  const scored = verdict.metrics.filter((m) => m.count > 0);
  return (
    scored.find((m) => m.outcome === "fail-threshold" || m.outcome === "fail-regression") ??
    scored.find((m) => m.threshold !== undefined || (m.regression !== undefined && m.regression !== "not-compared")) ??
    scored[0]
  );
}

/**
 * The items worth a look, worst first whichever way the metric reads (ties by
 * input, then item id: item ids derive from the dataset, so runs on the same
 * data list the same items in the same order): those outside the metric's threshold, or
 * without one, those below the run's best score. When the metric failed and
 * no item stands out (all equally bad), the worst are shown anyway.
 */
export function worstItems(items: readonly ItemOutcome[], metric: MetricVerdict, count: number): ItemOutcome[] {
  const sign = metric.direction === "lower-is-better" ? -1 : 1;
  const scored = items.filter((item) => typeof item.scores[metric.name]?.value === "number");
  const value = (item: ItemOutcome): number => item.scores[metric.name]?.value ?? 0;
  const best = scored.reduce((top, item) => (sign * (value(item) - top) > 0 ? value(item) : top), scored[0] ? value(scored[0]) : 0);
  const threshold = metric.threshold;
  const standsOut = scored.filter((item) => (threshold ? !withinThreshold(value(item), threshold) : sign * (best - value(item)) > SCORE_EPSILON));
  const failing = metric.outcome === "fail-threshold" || metric.outcome === "fail-regression";
  return (standsOut.length || !failing ? standsOut : scored)
    .sort(
      (a, b) =>
        sign * ((a.scores[metric.name]?.value ?? 0) - (b.scores[metric.name]?.value ?? 0)) ||
        compareText(a.preview ?? a.input, b.preview ?? b.input) ||
        compareText(a.datasetItemId, b.datasetItemId),
    )
    .slice(0, count);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function renderItem(item: ItemOutcome, rank: number, metric: MetricVerdict, level: DetailLevel): string {
  const score = item.scores[metric.name]?.value ?? Number.NaN;
  // The user's message, not a system prompt every item starts with, so the summaries tell items apart.
  const previewText = item.preview ?? item.input;
  const preview = previewText ? ` — ${escapeHtmlText(previewText, 60)}` : "";
  const summary = `${rank}. ${escapeHtmlText(metric.name, CELL_CHARS)} ${fixed(score)} · item ${escapeHtmlText(item.datasetItemId, 40)}${preview}`;
  const parts: string[] = [];
  if (level.textChars > 0) {
    parts.push(`Input\n\n${codeBlock(item.input, level.textChars)}`);
    parts.push(`Output${item.output ? "" : " (not kept: evaluated by an earlier run)"}\n\n${codeBlock(item.output, level.textChars)}`);
  }
  const reasons = Object.entries(item.scores).map(([name, s]) => {
    const why = s.reason && level.reasonChars > 0 ? `: ${escapeInline(s.reason, level.reasonChars)}` : "";
    return `- ${escapeInline(name, CELL_CHARS)} ${fixed(s.value)}${why}`;
  });
  const failures = Object.entries(item.failedMetrics).map(
    ([name, error]) => `- ${escapeInline(name, CELL_CHARS)} could not be scored: ${escapeInline(error, Math.max(level.reasonChars, 80))}`,
  );
  if (reasons.length || failures.length)
    parts.push(`${level.reasonChars > 0 ? "Scores and judge reasons" : "Scores"}\n\n${[...reasons, ...failures].join("\n")}`);
  if (item.runs && item.runs.length > 1) parts.push(runsLine(item.runs, metric.name));
  if (item.taskError) parts.push(`Task error: ${escapeInline(item.taskError, Math.max(level.reasonChars, 80))}`);
  return details(summary, parts.join("\n\n"));
}

/** An item's repeats of the ranking metric, so its spread shows next to its mean. */
function runsLine(runs: NonNullable<ItemOutcome["runs"]>, metric: string): string {
  const values = runs.map((run) => (run.scores[metric] === undefined ? (run.taskError === undefined ? "failed" : "task error") : fixed(run.scores[metric])));
  return `Runs of ${escapeInline(metric, CELL_CHARS)}: ${values.join(", ")}`;
}

/** The worst items and the task errors, each collapsed; empty when the level shows none. */
export function renderItemDetail(items: readonly ItemOutcome[], verdict: GateVerdict, level: DetailLevel): string[] {
  const blocks: string[] = [];
  const metric = rankingMetric(verdict);
  const worst = metric && level.worstItems > 0 ? worstItems(items, metric, level.worstItems) : [];
  if (metric && worst.length) {
    const reads = metric.direction === "lower-is-better" ? "higher is worse" : "lower is worse";
    blocks.push(`**Worst items by ${escapeInline(metric.name, CELL_CHARS)}** (${reads}; ${worst.length} shown of ${metric.count} scored)`);
    blocks.push(...worst.map((item, i) => renderItem(item, i + 1, metric, level)));
  }
  const errored = items.filter((item) => item.taskError !== undefined);
  if (errored.length && level.taskErrors > 0) {
    const lines = errored
      .slice(0, level.taskErrors)
      .map((item) => `- item ${escapeInline(item.datasetItemId, 40)}: ${escapeInline(item.taskError ?? "", 300)}`);
    if (errored.length > level.taskErrors) lines.push(`- … and ${errored.length - level.taskErrors} more`);
    blocks.push(details(`Task errors (${errored.length})`, lines.join("\n")));
  }
  return blocks;
}

/**
 * Renders levels from the most detailed down and keeps the first that fits;
 * if none does, cuts the least detailed at a line boundary.
 */
export function renderWithinBudget(render: (level: DetailLevel) => string, fit: { limit: number; measure: (text: string) => number; tail?: string }): string {
  let smallest = "";
  for (const level of DETAIL_LEVELS) {
    smallest = render(level);
    const whole = fit.tail ? `${smallest}\n${fit.tail}` : smallest;
    if (fit.measure(whole) <= fit.limit) return whole;
  }
  return fitMarkdown(smallest, fit);
}

export interface GateSectionOptions {
  /** The run's items, for the worst items; without them the section has the table only. */
  items?: readonly ItemOutcome[];
  /** Room left in the job summary, in bytes (MAX_STEP_SUMMARY_BYTES minus what is already there). */
  maxBytes?: number;
  /** The task prompt's version this run recorded, named next to the baseline's. */
  promptVersion?: PromptVersionOutcome;
}

/**
 * The gate's section of the job summary, for render-summary's caller to
 * append: the verdict, the metric table, and the worst items, within
 * `maxBytes` (the summary is limited in bytes, not characters).
 */
export function renderGateSection(verdict: GateVerdict, options: GateSectionOptions = {}): string {
  const render = (level: DetailLevel): string => {
    const blocks = [
      `## Gate: ${verdictTitle(verdict)}`,
      ...renderVerdictBody(verdict, level, options.promptVersion),
      ...(options.items ? renderItemDetail(options.items, verdict, level) : []),
    ];
    return `${blocks.join("\n\n")}\n`;
  };
  return renderWithinBudget(render, { limit: options.maxBytes ?? DEFAULT_GATE_SECTION_BYTES, measure: measureBytes });
}
