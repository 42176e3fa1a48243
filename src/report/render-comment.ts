import type { GateVerdict } from "../gate/types.js";
import type { RunResult, PipelineRun } from "../run-result.js";
import { cacheText } from "./cache-line.js";
import { cleanupState } from "./cleanup-state.js";
import { CELL_CHARS, LINE_CHARS, MAX_COMMENT_CHARS } from "./limits.js";
import { escapeInline, link, measureChars } from "./markdown.js";
import { renderSuiteSection } from "./render-suite.js";
import { renderItemDetail, renderVerdictBody, renderWithinBudget, verdictTitle, type DetailLevel } from "./render-gate.js";

export interface CommentLinks {
  experimentUrl?: string;
  /** Opik's compare view of the experiment and its baseline. */
  compareUrl?: string;
  runUrl?: string;
}

function countsLine(result: RunResult, verdict: GateVerdict): string {
  // A suite run's counts are its runs; the pass rate above says how they went.
  if (result.testSuite) {
    const runs = result.testSuite.items.reduce((sum, item) => sum + item.runs.length, 0);
    return [`**${runs}** suite run(s)`, usageText(result)].filter(Boolean).join(" · ");
  }
  const { total, failedScores, taskErrors } = verdict.items;
  const parts = [`**${total}** item(s)`, `**${failedScores}** failed score(s)`, `**${taskErrors}** task error(s)`];
  if (result.spansDeferred) parts.push(`${result.spansDeferred} span(s) left for the next run`);
  const usage = usageText(result);
  if (usage) parts.push(usage);
  const cache = cacheText(result);
  if (cache) parts.push(cache);
  return parts.join(" · ");
}

/** Tokens and cost when the result carries them; older results and skipped runs have none. */
function usageText(result: RunResult): string | undefined {
  const usage = result.usage as RunResult["usage"] | undefined;
  if (!usage || (!usage.task.calls && !usage.judge.calls)) return undefined;
  const tokens = [usage.task.calls ? `task ${usage.task.totalTokens} tokens` : "", usage.judge.calls ? `judge ${usage.judge.totalTokens} tokens` : ""]
    .filter(Boolean)
    .join(", ");
  const cost = usage.costUsd === null ? "cost unknown" : `≈ $${usage.costUsd.toFixed(4)}`;
  return `${tokens} · ${cost}`;
}

function cleanupLine(result: RunResult): string {
  const state = cleanupState(result);
  const cleanup = result.cleanupResult;
  if (state.state === "off") return "Cleanup: off (`cleanup-errors: false`).";
  if (state.state === "failed") return `Cleanup: failed: ${escapeInline(state.reason, LINE_CHARS)}.`;
  if (state.state === "not-run" || !cleanup)
    return `Cleanup: did not run (${state.state === "not-run" ? escapeInline(state.reason, LINE_CHARS) : "no counts recorded"}).`;
  const patterns = Object.entries(cleanup.errorPatterns)
    .map(([pattern, count]) => `${escapeInline(pattern, CELL_CHARS)} ${count}`)
    .join(", ");
  return `Cleanup: deleted ${cleanup.deleted} of ${cleanup.errorTraces} error trace(s) among ${cleanup.totalTraces}${patterns ? ` (${patterns})` : ""}.`;
}

function linksLine(result: RunResult, links: CommentLinks): string | undefined {
  const experimentUrl = links.experimentUrl ?? result.experiment?.url;
  const parts = [
    experimentUrl ? link(`Experiment ${escapeInline(result.experiment?.name ?? "in Opik", CELL_CHARS)}`, experimentUrl) : "",
    links.compareUrl ? link("Compare with the baseline", links.compareUrl) : "",
    links.runUrl ? link("Workflow run", links.runUrl) : "",
  ].filter((part) => part.includes("]("));
  return parts.length ? parts.join(" · ") : undefined;
}

/**
 * The pull request comment: the verdict at a glance, the metric table, the
 * counts, then the worst items collapsed. Pure; always within GitHub's
 * 65,536-character limit (item detail shrinks first, then the text is cut at
 * a line boundary) and always ending with `marker`, which the sticky
 * publisher looks for.
 */
export function renderComment(run: PipelineRun, verdict: GateVerdict, links: CommentLinks, marker: string): string {
  const { result } = run;
  const render = (level: DetailLevel): string => {
    const blocks = [
      `### ${verdictTitle(verdict)} · Opik evaluation: ${escapeInline(result.experimentType, CELL_CHARS)}`,
      ...renderVerdictBody(verdict, level, result.promptVersion),
      result.testSuite ? renderSuiteSection(result.testSuite, level.textChars === 0 ? "short" : "full") : "",
      countsLine(result, verdict),
      cleanupLine(result),
      ...renderItemDetail(run.items, verdict, level),
      linksLine(result, links) ?? "",
    ].filter(Boolean);
    return `${blocks.join("\n\n")}\n`;
  };
  return renderWithinBudget(render, { limit: MAX_COMMENT_CHARS, measure: measureChars, tail: marker });
}
