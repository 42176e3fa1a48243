import type { SuiteItemOutcome, SuiteOutcome } from "../run-result.js";
import { CELL_CHARS, SUITE_DETAIL } from "./limits.js";
import { escapeInline, link } from "./markdown.js";

function percent(share: number | null): string {
  return share === null ? "–" : `${Math.round(share * 1000) / 10}%`;
}

function passRateLine(suite: SuiteOutcome): string {
  const judged = suite.itemsPassed + suite.itemsFailed;
  const baseline = suite.baseline
    ? ` · baseline ${percent(suite.baseline.passRate)} (${escapeInline(suite.baseline.experimentName, CELL_CHARS)})`
    : " · no baseline run of this suite";
  const without = suite.itemsTotal - judged;
  return (
    `Pass rate **${percent(suite.passRate)}** (${suite.itemsPassed} of ${judged} item(s) with assertions; min-pass-rate ${percent(suite.minPassRate)})${baseline}` +
    (without ? ` · ${without} item(s) without assertions` : "")
  );
}

/** The run a reader should look at: the first failing one. */
function failingRun(item: SuiteItemOutcome): SuiteItemOutcome["runs"][number] | undefined {
  return item.runs.find((run) => !run.passed) ?? item.runs[0];
}

function itemLines(item: SuiteItemOutcome, level: "full" | "short"): string[] {
  const marks = [
    item.flaky ? "⚠️ flaky" : "",
    !item.passed && item.baselinePassed === true ? "regressed (passed on the baseline)" : "",
    item.passed && item.baselinePassed === false ? "✅ fixed (failed on the baseline)" : "",
    `${item.runsPassed}/${item.runsPerItem} runs passed, needs ${item.passThreshold}`,
  ].filter(Boolean);
  const lines = [`- **${escapeInline(item.input || item.datasetItemId, SUITE_DETAIL.inputChars)}** · ${marks.join(" · ")}`];
  if (level === "short") return lines;
  const run = failingRun(item);
  if (!run) return lines;
  if (run.taskError) return [...lines, `  - run ${run.runIndex + 1}: task error: ${escapeInline(run.taskError, SUITE_DETAIL.reasonChars)}`];
  lines.push(`  - output (run ${run.runIndex + 1}): ${escapeInline(run.output || "(empty)", SUITE_DETAIL.outputChars)}`);
  for (const assertion of run.assertions.filter((a) => !a.passed)) {
    lines.push(`  - ❌ ${escapeInline(assertion.assertion, CELL_CHARS * 2)}: ${escapeInline(assertion.reason, SUITE_DETAIL.reasonChars)}`);
  }
  return lines;
}

/**
 * The test suite part of the comment and the summary: pass rate against min-pass-rate and the baseline, each
 * failing item with its input, output and failed assertions with the judge's reasons, the items that failed on the
 * baseline and pass now, and flaky items marked.
 * Pure; `level` short lists failing items by name only, for a report over its budget.
 */
export function renderSuiteSection(suite: SuiteOutcome, level: "full" | "short" = "full"): string {
  const version = suite.versionName ? ` ${escapeInline(suite.versionName, CELL_CHARS)}` : "";
  const lines = [`#### Test suite ${link(escapeInline(suite.name, CELL_CHARS), suite.url)}${version}`, "", passRateLine(suite)];
  const failing = suite.items.filter((item) => item.hasAssertions && !item.passed);
  // The cases a pull request turns green (e.g. production failures promoted to the suite) are what its author looks for.
  const fixed = suite.items.filter((item) => item.passed && item.baselinePassed === false);
  const flakyPassing = suite.items.filter((item) => item.passed && item.flaky && item.baselinePassed !== false);
  if (failing.length) {
    lines.push("", `Failing items (${failing.length}):`, "");
    for (const item of failing.slice(0, SUITE_DETAIL.maxFailingItems)) lines.push(...itemLines(item, level));
    if (failing.length > SUITE_DETAIL.maxFailingItems) lines.push(`- … and ${failing.length - SUITE_DETAIL.maxFailingItems} more (see the experiment in Opik)`);
  }
  if (fixed.length) {
    lines.push("", `Fixed since the baseline (${fixed.length}):`, "");
    for (const item of fixed.slice(0, SUITE_DETAIL.maxFailingItems)) lines.push(...itemLines(item, "short"));
    if (fixed.length > SUITE_DETAIL.maxFailingItems) lines.push(`- … and ${fixed.length - SUITE_DETAIL.maxFailingItems} more (see the experiment in Opik)`);
  }
  if (flakyPassing.length) {
    lines.push("", `Flaky items that passed (${flakyPassing.length}):`, "");
    for (const item of flakyPassing.slice(0, SUITE_DETAIL.maxFailingItems)) lines.push(...itemLines(item, "short"));
  }
  return lines.join("\n");
}
