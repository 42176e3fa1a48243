import type { PipelineResult } from "../pipeline/run-pipeline.js";
import { escapeCell, formatScore, table } from "./markdown.js";

/** GitHub rejects a step summary over 1 MiB; stay well under it. */
export const MAX_SUMMARY_BYTES = 1024 * 1024 - 1024;
const MAX_LISTED_MESSAGES = 20;

const STATUS_ICON: Record<PipelineResult["status"], string> = { success: "✅", skipped: "⏭️", failed: "❌" };

function messages(title: string, list: readonly string[], limit: number): string[] {
  if (!list.length) return [];
  const shown = list.slice(0, limit).map((m) => `- ${escapeCell(m, 500)}`);
  if (list.length > limit) shown.push(`- … and ${list.length - limit} more (see result-json)`);
  return [`### ${title}`, "", ...shown, ""];
}

function render(result: PipelineResult, messageLimit: number): string {
  const lines: string[] = [];
  lines.push(`## ${STATUS_ICON[result.status]} Opik evaluation: ${escapeCell(result.experiment_type)} — ${result.status}`, "");
  lines.push(
    table(
      ["Project", "Window (UTC)", "Spans found", "New spans", "Dataset", "Experiment"],
      [
        [
          escapeCell(result.project),
          `${result.window.start.slice(0, 16).replace("T", " ")} → ${result.window.end.slice(0, 16).replace("T", " ")}`,
          String(result.spans_found),
          String(result.spans_new) + (result.spans_deferred ? ` (+${result.spans_deferred} next run)` : ""),
          result.dataset_name ? `\`${escapeCell(result.dataset_name)}\`` : "–",
          result.experiment_result
            ? `[${escapeCell(result.experiment_result.experiment_name)}](${result.experiment_result.experiment_url})`
            : "–",
        ],
      ],
    ),
    "",
  );

  const experiment = result.experiment_result;
  if (experiment) {
    lines.push("### Scores", "");
    const rows = Object.entries(experiment.eval_results).map(([name, s]) => {
      const direction = s.direction === "lower-is-better" ? "↓ lower is better" : "↑ higher is better";
      return [`\`${escapeCell(name)}\``, formatScore(s.mean), formatScore(s.min), formatScore(s.max), String(s.count), String(s.failed), direction];
    });
    lines.push(table(["Metric", "Mean", "Min", "Max", "Scored", "Failed", "Direction"], rows), "");
    const details = [`${experiment.items_total} item(s)`];
    if (experiment.items_resumed) details.push(`${experiment.items_resumed} kept from an interrupted run`);
    if (experiment.task_errors) details.push(`${experiment.task_errors} task error(s)`);
    if (experiment.items_not_started) details.push(`${experiment.items_not_started} left for the next run (max-cost-usd)`);
    const { task, judge, cost_usd } = result.usage;
    if (task.calls) details.push(`task: ${task.calls} call(s), ${task.total_tokens} tokens`);
    if (judge.calls) details.push(`judge: ${judge.calls} call(s), ${judge.total_tokens} tokens`);
    if (task.calls || judge.calls) details.push(cost_usd === null ? "cost unknown (model not in the price table)" : `≈ $${cost_usd.toFixed(4)}`);
    lines.push(details.join(" · "), "");
  }

  const cleanup = result.cleanup_result;
  if (cleanup) {
    const patterns = Object.entries(cleanup.error_patterns)
      .map(([pattern, count]) => `${escapeCell(pattern)}: ${count}`)
      .join(", ");
    lines.push("### Error trace cleanup", "");
    lines.push(table(["Traces in window", "Error traces", "Deleted", "Patterns"], [[String(cleanup.total_traces), String(cleanup.error_traces), String(cleanup.deleted), patterns || "–"]]), "");
  } else {
    lines.push("Error trace cleanup was off (`cleanup-errors: false`).", "");
  }

  lines.push(...messages("Errors", result.errors, messageLimit), ...messages("Warnings", result.warnings, messageLimit));
  return `${lines.join("\n").trimEnd()}\n`;
}

/** The job summary's markdown: pure, and within GitHub's size limit (message lists shrink first). */
export function renderSummary(result: PipelineResult): string {
  for (const limit of [MAX_LISTED_MESSAGES, 5, 0]) {
    const markdown = render(result, limit);
    if (Buffer.byteLength(markdown) <= MAX_SUMMARY_BYTES) return markdown;
  }
  return `${render(result, 0).slice(0, MAX_SUMMARY_BYTES / 4)}\n\n… summary cut to fit GitHub's limit\n`;
}
