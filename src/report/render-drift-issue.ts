import { DRIFT_ISSUE } from "../constants.js";
import type { DriftReport, DriftSignal } from "../drift/types.js";
import { formatScore, escapeCell, table } from "./markdown.js";
import { MAX_COMMENT_CHARS } from "./limits.js";

/** Finds the feature's issue again; the feature name is percent-encoded so no name can end the comment early. */
export function driftIssueMarker(feature: string): string {
  return `<!-- ${DRIFT_ISSUE.markerName} feature=${encodeURIComponent(feature)} -->`;
}

const METRICS_LINE = /<!-- opik-evaluate-drift-metrics: ([^>]*) -->/;

/** The signals drifting when the body was written, kept in the body so a later run can tell a new one. */
export function driftingInBody(body: string): string[] {
  const found = METRICS_LINE.exec(body)?.[1] ?? "";
  return found
    .split(",")
    .map((name) => decodeURIComponent(name.trim()))
    .filter(Boolean);
}

export function driftIssueTitle(feature: string): string {
  return `${DRIFT_ISSUE.titlePrefix}${feature}`;
}

function number(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : formatScore(value);
}

function signalRow(signal: DriftSignal): string[] {
  const effect = signal.effect;
  const interval = effect && Number.isFinite(effect.lowerBound) ? `${number(effect.lowerBound)} to ${number(effect.upperBound)}` : "–";
  return [
    `${signal.state === "drifting" ? "🔴" : "🟢"} ${escapeCell(signal.name, 60)}`,
    signal.kind,
    signal.direction === "higher-is-better" ? "higher" : "lower",
    number(signal.reference),
    number(signal.recent),
    effect ? number(effect.worsening) : "–",
    interval,
    escapeCell(signal.note ?? "", 120),
  ];
}

/** The table of signals the summary and the issue share: drifting first. */
export function renderDriftSignals(report: DriftReport): string {
  const signals = [...report.signals].sort((a, b) => Number(b.state === "drifting") - Number(a.state === "drifting") || a.name.localeCompare(b.name));
  return table(
    [
      "Signal",
      "Kind",
      "Better",
      `Reference (${report.referenceRuns.length} runs)`,
      `Recent (${report.recentRuns.length} runs)`,
      "Worsening",
      "Interval",
      "Note",
    ],
    signals.map(signalRow),
  );
}

/**
 * The issue's body: what drifted, by how much with its interval, the worst new items with links to Opik, and the runs
 * compared. `chart` is the trend chart the history renderer draws for the drifting metrics, when it is given.
 */
export function renderDriftIssueBody(feature: string, report: DriftReport, options: { chart?: string; runUrl?: string } = {}): string {
  const drifting = report.signals.filter((s) => s.state === "drifting");
  const lines = [
    `## ${escapeCell(driftIssueTitle(feature), 200)}`,
    "",
    `**Drifting:** ${drifting.map((s) => `\`${escapeCell(s.name, 60)}\``).join(", ") || "none"}. The last ${report.settings.window} runs against the ${report.settings.reference} before them (minimum effect ${report.settings.minEffect}).`,
    "",
  ];
  if (options.chart) lines.push(options.chart.trimEnd(), "");
  lines.push(renderDriftSignals(report), "");
  lines.push(
    "_Worsening is the recent mean minus the reference mean, in the bad direction; the interval is one-sided at the per-run false-alarm budget (1%, split over the signals)._",
    "",
  );
  if (report.worstItems.length) {
    lines.push("### Worst new items", "");
    lines.push(
      table(
        ["Metric", "Score", "Dataset item", "Experiment"],
        report.worstItems.map((item) => [
          escapeCell(item.metric, 60),
          number(item.value),
          `\`${escapeCell(item.datasetItemId, 60)}\``,
          `[${escapeCell(item.experimentName, 80)}](${item.url})`,
        ]),
      ),
      "",
    );
  }
  lines.push("### Runs compared", "");
  lines.push(`Recent: ${report.recentRuns.map((run) => `[${escapeCell(run.experimentName, 80)}](${run.url})`).join(", ")}`, "");
  const first = report.referenceRuns[0];
  const last = report.referenceRuns.at(-1);
  if (first && last)
    lines.push(
      `Reference: ${report.referenceRuns.length} runs, [${escapeCell(first.experimentName, 80)}](${first.url}) to [${escapeCell(last.experimentName, 80)}](${last.url})`,
      "",
    );
  if (options.runUrl) lines.push(`Updated by [this workflow run](${options.runUrl}).`, "");
  lines.push(driftIssueMarker(feature), `<!-- opik-evaluate-drift-metrics: ${drifting.map((s) => encodeURIComponent(s.name)).join(",")} -->`);
  const body = lines.join("\n");
  return body.length <= MAX_COMMENT_CHARS ? body : `${body.slice(0, MAX_COMMENT_CHARS - 400)}\n\n… cut to fit GitHub's limit\n\n${lines.slice(-2).join("\n")}`;
}

/** The comment when another signal starts drifting while the issue is open. */
export function renderNewDriftComment(report: DriftReport, added: readonly string[]): string {
  const rows = report.signals.filter((s) => added.includes(s.name));
  return [
    `Drift now also in ${added.map((name) => `\`${escapeCell(name, 60)}\``).join(", ")}.`,
    "",
    table(
      ["Signal", "Reference", "Recent", "Worsening"],
      rows.map((s) => signalRow(s).filter((_, i) => [0, 3, 4, 5].includes(i))),
    ),
  ].join("\n");
}

/** The comment that closes the issue. */
export function renderRecoveryComment(report: DriftReport): string {
  return `Recovered: no metric or health signal drifts over the last ${report.settings.window} runs against the ${report.settings.reference} before them. Closing.`;
}
