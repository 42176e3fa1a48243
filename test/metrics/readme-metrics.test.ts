import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { METRIC_CATALOG } from "../../src/metrics/metric-catalog.js";
import { findMetricBlock, renderMetricBlock, renderMetricTable, replaceMetricBlock } from "../../src/metrics/render-metric-table.js";

describe("README metric table", () => {
  it("matches the catalog (run npx tsx scripts/update-readme-metrics.ts after changing it)", async () => {
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    expect(findMetricBlock(readme)).toBe(renderMetricBlock());
  });

  it("has a row per catalog metric plus the custom judges, with pipes escaped", () => {
    const lines = renderMetricTable([{ ...METRIC_CATALOG[0]!, description: "a | b" }]).split("\n");
    expect(lines[0]).toBe("| Metric | Kind | Better | Range | Needs | Scoring |");
    expect(lines[2]).toBe("| `hallucination` | LLM judge | lower | 0 or 1 | input, output | a \\| b |");
    expect(lines).toHaveLength(4);
    expect(renderMetricTable().split("\n")).toHaveLength(METRIC_CATALOG.length + 3);
  });

  it("replaces only the block between the markers", () => {
    const readme = "# Title\n\n<!-- metrics:start -->\nold\n<!-- metrics:end -->\n\nNotes $& stay.\n";
    expect(replaceMetricBlock(readme)).toBe(`# Title\n\n${renderMetricBlock()}\n\nNotes $& stay.\n`);
    expect(() => replaceMetricBlock("# No markers")).toThrow("README has no <!-- metrics:start --> … <!-- metrics:end --> block");
  });
});
