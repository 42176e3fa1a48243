import type { DriftOutcome, DriftSignalOutcome } from "../run-result.js";
import { escapeCell, formatScore, table } from "./markdown.js";

const STATE_LINE: Record<DriftOutcome["state"], string> = {
  none: "🟢 No drift",
  drifting: "🔴 Drifting",
  recovered: "🟢 Recovered",
  "insufficient-data": "⚪ Not enough runs yet",
};

function value(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "–" : formatScore(v);
}

function row(signal: DriftSignalOutcome): string[] {
  const mark = signal.state === "drifting" ? "🔴" : signal.state === "stable" ? "🟢" : "⚪";
  return [
    `${mark} ${escapeCell(signal.name, 60)}`,
    signal.kind,
    value(signal.reference),
    value(signal.recent),
    value(signal.worsening),
    signal.interval ? `${value(signal.interval[0])} to ${value(signal.interval[1])}` : "–",
    escapeCell(signal.note ?? (signal.state === "insufficient-data" ? "too few items or runs" : ""), 120),
  ];
}

/** The summary's drift section: the state, the signals compared, and the issue kept. Pure. */
export function renderDriftSection(drift: DriftOutcome): string {
  const lines = [
    "## Drift",
    "",
    `${STATE_LINE[drift.state]}${drift.drifting.length ? `: ${drift.drifting.map((name) => `\`${escapeCell(name, 60)}\``).join(", ")}` : ""}. The last ${drift.recentRuns} runs against the ${drift.referenceRuns} before them (drift-window ${drift.window}, drift-reference ${drift.reference}, drift-min-effect ${drift.minEffect}).`,
    "",
  ];
  if (drift.reason) lines.push(`_${escapeCell(drift.reason, 300)}_`, "");
  if (drift.signals.length) {
    const signals = [...drift.signals].sort((a, b) => Number(b.state === "drifting") - Number(a.state === "drifting") || a.name.localeCompare(b.name));
    lines.push(table(["Signal", "Kind", "Reference", "Recent", "Worsening", "Interval", "Note"], signals.map(row)), "");
  }
  if (drift.issue?.url) {
    const verb = { opened: "Opened", updated: "Updated", unchanged: "Unchanged:", closed: "Closed", none: "" }[drift.issue.action];
    lines.push(`${verb} the drift issue: ${drift.issue.url}`, "");
  }
  return lines.join("\n");
}
