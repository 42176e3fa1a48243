import type { GateVerdict, Threshold } from "../gate/index.js";
import type { HistoryRun, RunHealth, RunHistory } from "../history/run-history.js";
import { escapeInline } from "./markdown.js";

/** How much trend the comment shows: a glance, not the summary's full history. */
export const COMMENT_TREND = { runs: 12, metrics: 4 } as const;

const SPARKS = "▁▂▃▄▅▆▇█";

/** One chart: a series over labelled runs, and constant lines (thresholds) drawn across it. */
interface Series {
  title: string;
  labels: string[];
  values: number[];
  kind: "line" | "bar";
  /** The y-axis title: Mermaid's documented form of a ranged axis carries one. */
  unit: string;
  /** Decimals shown: three for scores, more for dollars. */
  decimals?: number;
  rules: { label: string; value: number }[];
  /** The pull request's value, drawn as the last point and as a bar, so it stands out from the scheduled runs. */
  marked?: number;
}

/** A number as a chart or a sparkline caption shows it: at most `decimals` decimals, no trailing zeros. */
function short(value: number, decimals = 3): string {
  const scale = 10 ** decimals;
  return String(Math.round(value * scale) / scale);
}

/** A name as inline code: a backtick in it would end the code span early. */
function code(text: string): string {
  return `\`${text.replace(/[`\n\r]/g, "'").slice(0, 80)}\``;
}

/** Mermaid takes a quoted string up to the next quote: a name must not carry one. */
function quoted(text: string): string {
  return `"${text.replace(/["\n\r`]/g, "'")}"`;
}

/** The run's UTC start as a short x-axis label. */
function runLabel(run: HistoryRun): string {
  const at = new Date(run.createdAt);
  return Number.isNaN(at.getTime()) ? "?" : `${at.toISOString().slice(5, 10)} ${at.toISOString().slice(11, 16)}`;
}

/** Values scaled onto eight block heights; a flat series sits in the middle. */
export function sparkline(values: readonly number[]): string {
  if (!values.length) return "";
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return values.map((v) => (hi === lo ? SPARKS[3] : SPARKS[Math.round(((v - lo) / (hi - lo)) * (SPARKS.length - 1))])).join("");
}

/** Where the y-axis runs: 0 to 1 for scores in that range, from 0 for counts (bars), else the data's span with a margin. */
function yRange(values: readonly number[], kind: Series["kind"]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (kind === "bar" && lo >= 0) return [0, hi > 0 ? hi * 1.1 : 1];
  if (lo >= 0 && hi <= 1) return [0, 1];
  const margin = (hi - lo) * 0.1 || Math.abs(hi) * 0.1 || 1;
  return [lo >= 0 ? Math.max(0, lo - margin) : lo - margin, hi + margin];
}

function mermaidChart(series: Series): string {
  const points = series.marked === undefined ? series.values : [...series.values, series.marked];
  const labels = series.marked === undefined ? series.labels : [...series.labels, "PR"];
  const [lo, hi] = yRange([...points, ...series.rules.map((r) => r.value)], series.kind);
  const n = (value: number): string => short(value, series.decimals);
  const constant = (value: number): string => `[${labels.map(() => n(value)).join(", ")}]`;
  const lines = [
    "```mermaid",
    "xychart-beta",
    `  title ${quoted(series.title)}`,
    `  x-axis [${labels.map(quoted).join(", ")}]`,
    `  y-axis ${quoted(series.unit)} ${n(lo)} --> ${n(hi)}`,
    `  ${series.kind} [${points.map(n).join(", ")}]`,
    ...series.rules.map((rule) => `  line ${constant(rule.value)}`),
    // A bar at the pull request's point only (the axis floor elsewhere draws nothing), so its value is marked.
    ...(series.marked === undefined ? [] : [`  bar [${labels.map((_, i) => n(i === labels.length - 1 ? (series.marked ?? lo) : lo)).join(", ")}]`]),
    "```",
  ];
  return lines.join("\n");
}

function sparkLine(name: string, series: Series): string {
  const { values } = series;
  const n = (value: number): string => short(value, series.decimals);
  const rules = series.rules.map((rule) => ` · ${rule.label} ${n(rule.value)}`).join("");
  const marked = series.marked === undefined ? "" : ` · **this PR ${n(series.marked)}**`;
  const stats = `first ${n(values[0] ?? 0)} · last ${n(values.at(-1) ?? 0)} · min ${n(Math.min(...values))} · max ${n(Math.max(...values))}`;
  return `${code(name)} ${sparkline(values)} ${stats}${rules}${marked}`;
}

function thresholdRules(threshold: Threshold | undefined): Series["rules"] {
  return [
    ...(threshold?.min !== undefined ? [{ label: "threshold min", value: threshold.min }] : []),
    ...(threshold?.max !== undefined ? [{ label: "threshold max", value: threshold.max }] : []),
  ];
}

function metricSeries(runs: readonly HistoryRun[], name: string, threshold: Threshold | undefined, marked?: number): Series | undefined {
  const charted = runs.filter((run) => typeof run.metrics[name]?.mean === "number");
  if (!charted.length) return undefined;
  return {
    title: `${name}: mean per run`,
    labels: charted.map(runLabel),
    values: charted.map((run) => run.metrics[name]?.mean ?? 0),
    kind: "line",
    unit: "mean",
    rules: thresholdRules(threshold),
    ...(marked !== undefined ? { marked } : {}),
  };
}

const HEALTH_SERIES: ReadonlyArray<{ title: string; unit: string; decimals: number; read: (health: RunHealth) => number | null | undefined }> = [
  { title: "spans harvested", unit: "spans", decimals: 0, read: (h) => h.spansHarvested },
  { title: "error traces deleted", unit: "traces", decimals: 0, read: (h) => h.errorTracesDeleted },
  { title: "judge failures", unit: "scores", decimals: 0, read: (h) => h.judgeFailures },
  { title: "cost (USD)", unit: "USD", decimals: 4, read: (h) => h.costUsd },
];

function healthSeries(runs: readonly HistoryRun[]): Series[] {
  return HEALTH_SERIES.flatMap(({ title, unit, decimals, read }) => {
    const charted = runs.filter((run) => typeof read(run.health) === "number");
    if (!charted.length) return [];
    const values = charted.map((run) => read(run.health) ?? 0);
    return [{ title: `${title} per run`, labels: charted.map(runLabel), values, kind: "bar" as const, unit, decimals, rules: [] }];
  });
}

/** Metrics with a threshold first (what a tight budget keeps), then the gate's others, then any other the runs recorded. */
function metricNames(runs: readonly HistoryRun[], verdict: GateVerdict): string[] {
  const names = [...verdict.metrics.filter((m) => m.threshold), ...verdict.metrics.filter((m) => !m.threshold)].map((m) => m.name);
  for (const run of runs) for (const name of Object.keys(run.metrics)) if (!names.includes(name)) names.push(name);
  return names;
}

function thresholds(verdict: GateVerdict): Map<string, Threshold | undefined> {
  return new Map(verdict.metrics.map((m) => [m.name, m.threshold]));
}

/** Run counts tried, largest first, until the section fits: all, then halving, down to two. */
function runCounts(total: number): number[] {
  const counts: number[] = [];
  for (let n = total; n >= 2; n = Math.floor(n / 2)) counts.push(n);
  return counts.length ? counts : [total];
}

function fits(text: string, maxBytes: number): boolean {
  return Buffer.byteLength(text, "utf8") <= maxBytes;
}

function summarySection(history: RunHistory, verdict: GateVerdict, runCount: number, metricCount: number, withHealth: boolean): string {
  const runs = history.runs.slice(-runCount);
  const first = runs[0];
  const last = runs.at(-1);
  const shown =
    runs.length < history.runs.length ? ` (${runs.length} of the ${history.runs.length} read are shown, to stay within the job summary's size limit)` : "";
  const limits = thresholds(verdict);
  const names = metricNames(runs, verdict);
  const parts = [
    "## Trends",
    "",
    `The last ${runs.length} scheduled run(s) of ${code(history.experimentType)} in Opik, oldest first, ${first ? runLabel(first) : ""} to ${last ? runLabel(last) : ""} UTC${shown}. Straight lines are the thresholds.`,
  ];
  for (const name of names.slice(0, metricCount)) {
    const series = metricSeries(runs, name, limits.get(name));
    if (series) parts.push("", `### ${escapeInline(name, 80)}`, "", mermaidChart(series), "", sparkLine(name, series));
  }
  if (names.length > metricCount) parts.push("", `${names.length - metricCount} more metric(s) left out to stay within the job summary's size limit.`);
  const health = healthSeries(runs);
  if (health.length) {
    parts.push("", "### Run health");
    for (const series of health) {
      parts.push("", ...(withHealth ? [mermaidChart(series), ""] : []), sparkLine(series.title.replace(/ per run$/, ""), series));
    }
  }
  return `${parts.join("\n")}\n`;
}

/**
 * The job summary's trend section: per metric, a mermaid chart of the mean over the runs with the thresholds as
 * lines and a sparkline under it; then the runs' health. Within `maxBytes`, it shows fewer runs, then the health as
 * sparklines only, then fewer metrics, and is empty when not even that fits or there is no history. Pure.
 */
export function renderTrendSection(history: RunHistory | undefined, verdict: GateVerdict, maxBytes: number): string {
  if (!history?.runs.length) return "";
  const metricCount = metricNames(history.runs, verdict).length;
  for (const withHealth of [true, false]) {
    for (const runs of runCounts(history.runs.length)) {
      const text = summarySection(history, verdict, runs, metricCount, withHealth);
      if (fits(text, maxBytes)) return text;
    }
  }
  for (let metrics = metricCount - 1; metrics >= 1; metrics -= 1) {
    const text = summarySection(history, verdict, Math.min(2, history.runs.length), metrics, false);
    if (fits(text, maxBytes)) return text;
  }
  return "";
}

/**
 * The pull request comment's trend: for each metric the gate judged, a small chart of the scheduled runs' mean with
 * the thresholds, and the pull request's own mean as the last point, marked. Empty without history or room. Pure.
 */
export function renderTrendComment(history: RunHistory | undefined, verdict: GateVerdict, maxChars: number): string {
  if (!history?.runs.length) return "";
  const judged = verdict.metrics.filter((m) => m.mean !== null);
  const gated = [...judged.filter((m) => m.threshold), ...judged.filter((m) => !m.threshold)].slice(0, COMMENT_TREND.metrics);
  for (const runs of runCounts(Math.min(COMMENT_TREND.runs, history.runs.length))) {
    const recent = history.runs.slice(-runs);
    const charts = gated.flatMap((metric) => {
      const series = metricSeries(recent, metric.name, metric.threshold, metric.mean ?? undefined);
      return series ? ["", mermaidChart(series), "", sparkLine(metric.name, series)] : [];
    });
    if (!charts.length) return "";
    const text = `${[
      "<details><summary>Trend: this pull request against the last scheduled runs</summary>",
      "",
      `The last ${recent.length} scheduled run(s) of ${code(history.experimentType)}, oldest first; the last point and the bar are this pull request. Straight lines are the thresholds.`,
      ...charts,
      "",
      "</details>",
    ].join("\n")}\n`;
    if (text.length <= maxChars) return text;
  }
  return "";
}

/** The comment with its trend inserted before the sticky marker, or unchanged when the two would not fit in `maxChars`. */
export function withCommentTrend(body: string, trend: string, marker: string, maxChars: number): string {
  const at = body.lastIndexOf(marker);
  if (!trend || at < 0 || body.length + trend.length + 1 > maxChars) return body;
  return `${body.slice(0, at)}${trend}\n${body.slice(at)}`;
}

/** The drift issue's chart: each drifting metric's mean per run over the runs read, with its sparkline. Pure. */
export function renderDriftChart(history: RunHistory, drifting: readonly string[]): string | undefined {
  const parts = drifting.flatMap((name) => {
    const series = metricSeries(history.runs, name, undefined);
    return series ? [mermaidChart(series), "", sparkLine(name, series), ""] : [];
  });
  return parts.length ? parts.join("\n").trimEnd() : undefined;
}
