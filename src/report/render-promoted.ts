import type { PromotionFlag, PromotionOutcome } from "../run-result.js";
import { escapeCell, table } from "./markdown.js";

function flagText(flag: PromotionFlag): string {
  if (!("value" in flag)) return `\`${escapeCell(flag.metric)}\` failed to score`;
  return `\`${escapeCell(flag.metric)}\` ${Math.round(flag.value * 1000) / 1000} ${flag.bound === "min" ? "<" : ">"} ${flag.limit}`;
}

/** The summary's "Promoted to the test suite" section: what a scheduled run added, with links, or why it could not. Pure. */
export function renderPromoted(promoted: PromotionOutcome | undefined, rowLimit: number): string[] {
  if (!promoted) return [];
  const suite = promoted.suiteUrl ? `[${escapeCell(promoted.suiteName)}](${promoted.suiteUrl})` : `\`${escapeCell(promoted.suiteName)}\``;
  const lines = [`### Promoted to test suite ${suite}`, ""];
  if (promoted.failed)
    return [...lines, `⚠️ Promotion failed: ${escapeCell(promoted.failed, 500)}. The evaluation above stands; these failures were not added.`, ""];
  const notes: string[] = [];
  if (promoted.created) notes.push("suite created by this run");
  if (promoted.alreadyInSuite) notes.push(`${promoted.alreadyInSuite} flagged item(s) already in the suite`);
  if (promoted.overCap) notes.push(`${promoted.overCap} more flagged, left out by max_per_run`);
  if (promoted.items.length === 0) return [...lines, `No new failures to promote${notes.length ? ` (${notes.join(" · ")})` : ""}.`, ""];
  const rows = promoted.items.slice(0, rowLimit).map((item) => [`[${escapeCell(item.spanId)}](${item.url})`, item.flags.map(flagText).join(", ") || "–"]);
  lines.push(`${promoted.items.length} item(s) added, worst first${notes.length ? ` (${notes.join(" · ")})` : ""}:`, "");
  if (rows.length) lines.push(table(["Span", "Flagged by"], rows), "");
  if (promoted.items.length > rows.length) lines.push(`… and ${promoted.items.length - rows.length} more (see result-json)`, "");
  return lines;
}
