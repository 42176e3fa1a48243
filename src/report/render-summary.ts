import { cacheText } from "./cache-line.js";
import type { GateVerdict } from "../gate/types.js";
import type { RunResult } from "../run-result.js";
import { cleanupState } from "./cleanup-state.js";
import { SUMMARY_BUDGET_BYTES } from "./limits.js";
import { escapeCell, formatScore, table } from "./markdown.js";
import { renderPromoted } from "./render-promoted.js";
import { renderSuiteSection } from "./render-suite.js";

/** What the heading needs from the gate: whether the step fails, and in which state. */
export type StepOutcome = Pick<GateVerdict, "failsStep" | "state">;

const MAX_LISTED_MESSAGES = 20;

const STATUS_ICON: Record<RunResult["status"], string> = { success: "✅", skipped: "⏭️", failed: "❌" };

function messages(title: string, list: readonly string[], limit: number): string[] {
  if (!list.length) return [];
  const shown = list.slice(0, limit).map((m) => `- ${escapeCell(m, 500)}`);
  if (list.length > limit) shown.push(`- … and ${list.length - limit} more (see result-json)`);
  return [`### ${title}`, "", ...shown, ""];
}

/** The step's outcome, which is what the heading reports: a run can succeed and still fail the step at the gate. */
function heading(result: RunResult, step: StepOutcome | undefined): string {
  const type = escapeCell(result.experimentType);
  if (result.configRejected) return `## ❌ Opik evaluation: ${type} — configuration rejected`;
  if (result.status !== "failed" && step?.failsStep)
    return `## ❌ Opik evaluation: ${type} — ${result.status === "skipped" ? "skipped" : "evaluated"}; the gate fails the step (${step.state})`;
  return `## ${STATUS_ICON[result.status]} Opik evaluation: ${type} — ${result.status}`;
}

function experimentCell(result: RunResult): string {
  const experiment = result.experiment ?? (result.testSuite ? { name: result.testSuite.experimentName, url: result.testSuite.url } : null);
  return experiment ? `[${escapeCell(experiment.name)}](${experiment.url})` : "–";
}

/** Harvest runs show what the window gave; evaluate runs show the dataset they evaluated, having searched no spans. */
function runTable(result: RunResult): string {
  const dataset = result.datasetName ? `\`${escapeCell(result.datasetName)}\`` : "–";
  if (result.mode !== "harvest") {
    // A shard evaluates a slice, and the report job pools the slices its shards wrote.
    const items = result.mode === "report" ? "Items (all shards)" : result.shard ? `Items (shard ${result.shard})` : "Items";
    return table(
      ["Project", "Dataset evaluated", items, "Experiment"],
      [
        [
          escapeCell(result.project),
          dataset,
          result.experiment ? String(result.experiment.itemsTotal) : result.testSuite ? String(result.testSuite.itemsTotal) : "–",
          experimentCell(result),
        ],
      ],
    );
  }
  // Counts the run never took are unknown, not zero.
  const counted = result.spansCounted !== false;
  return table(
    ["Project", "Window (UTC)", "Spans found", "New spans", "Dataset", "Experiment"],
    [
      [
        escapeCell(result.project),
        `${result.window.start.slice(0, 16).replace("T", " ")} → ${result.window.end.slice(0, 16).replace("T", " ")}`,
        counted ? String(result.spansFound) : "–",
        counted ? String(result.spansNew) + (result.spansDeferred ? ` (+${result.spansDeferred} next run)` : "") : "–",
        dataset,
        experimentCell(result),
      ],
    ],
  );
}

function cleanupLines(result: RunResult): string[] {
  const state = cleanupState(result);
  const cleanup = result.cleanupResult;
  if (state.state === "done" && cleanup) {
    const patterns = Object.entries(cleanup.errorPatterns)
      .map(([pattern, count]) => `${escapeCell(pattern)}: ${count}`)
      .join(", ");
    return [
      "### Error trace cleanup",
      "",
      table(
        ["Traces in window", "Error traces", "Deleted", "Patterns"],
        [[String(cleanup.totalTraces), String(cleanup.errorTraces), String(cleanup.deleted), patterns || "–"]],
      ),
      "",
    ];
  }
  if (state.state === "off") return ["Error trace cleanup was off (`cleanup-errors: false`).", ""];
  if (state.state === "failed") return [`Error trace cleanup failed: ${escapeCell(state.reason, 500)}.`, ""];
  if (state.state === "not-run") return [`Error trace cleanup did not run: ${escapeCell(state.reason, 500)}.`, ""];
  return [];
}

function render(result: RunResult, step: StepOutcome | undefined, messageLimit: number): string {
  const lines: string[] = [];
  lines.push(heading(result, step), "");
  if (result.configRejected) {
    lines.push("Nothing ran: no Opik call was made. Fix the problems below and run again.", "");
    lines.push(...messages("Errors", result.errors, messageLimit));
    return `${lines.join("\n").trimEnd()}\n`;
  }
  lines.push(runTable(result), "");
  if (result.testSuite) lines.push(renderSuiteSection(result.testSuite, messageLimit ? "full" : "short"), "");

  const experiment = result.experiment;
  if (experiment) {
    lines.push("### Scores", "");
    const rows = Object.entries(experiment.evalResults).map(([name, s]) => {
      const direction = s.direction === "lower-is-better" ? "↓ lower is better" : "↑ higher is better";
      return [`\`${escapeCell(name)}\``, formatScore(s.mean), formatScore(s.min), formatScore(s.max), String(s.count), String(s.failed), direction];
    });
    lines.push(table(["Metric", "Mean", "Min", "Max", "Scored", "Failed", "Direction"], rows), "");
    const details = [`${experiment.itemsTotal} item(s)`];
    if (experiment.itemsResumed) details.push(`${experiment.itemsResumed} kept from an interrupted run`);
    if (experiment.taskErrors) details.push(`${experiment.taskErrors} task error(s)`);
    if (experiment.itemsNotStarted) details.push(`${experiment.itemsNotStarted} left for the next run (max-cost-usd)`);
    const { task, judge, costUsd } = result.usage;
    if (task.calls) details.push(`task: ${task.calls} call(s), ${task.totalTokens} tokens`);
    if (judge.calls) details.push(`judge: ${judge.calls} call(s), ${judge.totalTokens} tokens`);
    if (task.calls || judge.calls) details.push(costUsd === null ? "cost unknown (model not in the price table)" : `≈ $${costUsd.toFixed(4)}`);
    const cache = cacheText(result);
    if (cache) details.push(cache);
    lines.push(details.join(" · "), "");
  }

  lines.push(...cleanupLines(result));
  lines.push(...renderPromoted(result.promoted, messageLimit));

  lines.push(...messages("Errors", result.errors, messageLimit), ...messages("Warnings", result.warnings, messageLimit));
  return `${lines.join("\n").trimEnd()}\n`;
}

/**
 * The job summary's markdown: pure, and within GitHub's size limit (message
 * lists shrink first). `step` is the gate's say on the step, which the
 * heading reports; without it the heading reports the run's status.
 */
export function renderSummary(result: RunResult, step?: StepOutcome): string {
  for (const limit of [MAX_LISTED_MESSAGES, 5, 0]) {
    const markdown = render(result, step, limit);
    if (Buffer.byteLength(markdown) <= SUMMARY_BUDGET_BYTES) return markdown;
  }
  return `${render(result, step, 0).slice(0, SUMMARY_BUDGET_BYTES / 4)}\n\n… summary cut to fit GitHub's limit\n`;
}
