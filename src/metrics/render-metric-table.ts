import { CUSTOM_JUDGE_DOC, METRIC_CATALOG, type MetricInfo, type MetricKind } from "./metric-catalog.js";

/**
 * The README's metric table, generated from the catalog so the two cannot
 * drift apart; scripts/update-readme-metrics.ts writes it between the
 * markers and test/metrics/readme-metrics.test.ts fails when it is stale.
 */
export const METRICS_BLOCK_START = "<!-- metrics:start -->";
export const METRICS_BLOCK_END = "<!-- metrics:end -->";

const KIND_LABELS: Record<MetricKind, string> = { judge: "LLM judge", heuristic: "heuristic", custom: "custom judge", span: "span" };

export function renderMetricTable(catalog: readonly MetricInfo[] = METRIC_CATALOG): string {
  const rows = catalog.map((metric) => [
    `\`${metric.name}\``,
    KIND_LABELS[metric.kind],
    metric.direction === "lower-is-better" ? "lower" : "higher",
    metric.range,
    metric.requires,
    metric.description,
  ]);
  rows.push([
    "*a name under `judges`*",
    KIND_LABELS.custom,
    "`direction` (default higher)",
    CUSTOM_JUDGE_DOC.range,
    CUSTOM_JUDGE_DOC.requires,
    CUSTOM_JUDGE_DOC.description,
  ]);
  const header = ["Metric", "Kind", "Better", "Range", "Needs", "Scoring"];
  return [row(header), row(header.map(() => "---")), ...rows.map(row)].join("\n");
}

/** The whole generated block, markers included. */
export function renderMetricBlock(catalog: readonly MetricInfo[] = METRIC_CATALOG): string {
  return [
    METRICS_BLOCK_START,
    "<!-- Generated from src/metrics/metric-catalog.ts by scripts/update-readme-metrics.ts; edit the catalog, not this table. -->",
    "",
    renderMetricTable(catalog),
    "",
    METRICS_BLOCK_END,
  ].join("\n");
}

/** The README's current block, markers included, or undefined when the markers are missing or out of order. */
export function findMetricBlock(readme: string): string | undefined {
  const start = readme.indexOf(METRICS_BLOCK_START);
  const end = readme.indexOf(METRICS_BLOCK_END, start);
  return start === -1 || end === -1 ? undefined : readme.slice(start, end + METRICS_BLOCK_END.length);
}

/** The README with its block replaced by the generated one; throws when the markers are missing. */
export function replaceMetricBlock(readme: string, catalog: readonly MetricInfo[] = METRIC_CATALOG): string {
  const current = findMetricBlock(readme);
  if (current === undefined) throw new Error(`README has no ${METRICS_BLOCK_START} … ${METRICS_BLOCK_END} block`);
  return readme.replace(current, () => renderMetricBlock(catalog));
}

function row(cells: readonly string[]): string {
  return `| ${cells.map(escapeCell).join(" | ")} |`;
}

/** A pipe would end the cell and a newline the row. */
function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}
