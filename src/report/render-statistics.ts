import { fixed } from "../gate/format-number.js";
import type { GateVerdict, MetricVerdict } from "../gate/types.js";
import { CELL_CHARS } from "./limits.js";
import { escapeInline } from "./markdown.js";

/** Flaky items listed at the most detailed level; fewer as the budget tightens, the count always. */
const FLAKY_SHOWN = 10;

/**
 * What the verdict's statistics mean for the reader, under the metric table:
 * repeats and their spread, the correction applied across metrics, the
 * smallest worsening the items can detect and what would resolve an
 * inconclusive change, the judge's own noise, and the items that flipped
 * between repeats. Empty when there is nothing beyond the table to say.
 */
export function renderStatistics(verdict: GateVerdict, flakyShown: number = FLAKY_SHOWN): string[] {
  const lines: string[] = [];
  if (verdict.repeats) {
    const spreads = verdict.metrics.filter((m) => m.spread !== undefined).map((m) => `${name(m)} ${fixed(m.spread ?? 0)}`);
    lines.push(
      `Repeats: each item ran ${verdict.repeats} times; its score is the mean of its runs, and the baseline comparison resamples items with their repeats.${spreads.length ? ` Spread (mean SD of an item's runs): ${spreads.join(", ")}.` : ""}`,
    );
  }
  const correction = verdict.correction;
  if (correction?.method === "holm") {
    const primary = correction.primary.length ? ` ${correction.primary.map(escapeName).join(", ")} (primary) tested alone at 0.025.` : "";
    lines.push(
      `Multiple metrics: Holm's correction over the ${correction.family.length} metrics gated on regression (${correction.family.map(escapeName).join(", ")}), family-wise error 0.025 one-sided.${primary}`,
    );
  } else if (correction?.primary.length) {
    lines.push(`Primary metric: ${correction.primary.map(escapeName).join(", ")}, tested alone at 0.025; no correction needed.`);
  }
  const detectable = verdict.metrics.filter((m) => m.mde !== undefined && Number.isFinite(m.mde) && m.mde > 0);
  if (detectable.length) {
    lines.push(
      `Smallest worsening these items detect (80% power): ${detectable.map((m) => `${name(m)} ${fixed(m.mde ?? 0)} (${m.pairedCount ?? 0} items, level ${fixed(m.testLevel ?? 0.025)})`).join(", ")}.`,
    );
  }
  for (const m of verdict.metrics) {
    if (m.itemsToResolve !== undefined) lines.push(`${name(m)}: inconclusive; about ${m.itemsToResolve} paired items would resolve a change of this size.`);
  }
  for (const m of verdict.metrics) {
    if (!m.judgeNoise) continue;
    const band = `±${fixed(m.judgeNoise.band)} (judge SD ${fixed(m.judgeNoise.sd)} on re-judged outputs)`;
    lines.push(
      m.judgeNoise.within ? `${name(m)}: the change is within the judge's own noise ${band}; it does not fail the gate.` : `${name(m)}: judge noise ${band}.`,
    );
  }
  const blocks = lines.length ? [lines.map((line) => `- ${line}`).join("\n")] : [];
  const flaky = verdict.flakyItems ?? [];
  if (flaky.length) {
    const shown = flaky.slice(0, flakyShown).map((item) => {
      const preview = item.preview ? ` — ${escapeInline(item.preview, 60)}` : "";
      return `- 🎲 item ${escapeInline(item.datasetItemId, 40)}${preview}: ${item.metrics.map(escapeName).join(", ")}`;
    });
    if (flaky.length > flakyShown) shown.push(`- … and ${flaky.length - flakyShown} more`);
    blocks.push(`**Flaky items** (${flaky.length}: the outcome flipped between repeats of the same code)\n\n${shown.join("\n")}`);
  }
  return blocks;
}

function name(metric: MetricVerdict): string {
  return escapeName(metric.name);
}

function escapeName(text: string): string {
  return escapeInline(text, CELL_CHARS);
}
