import { describe, expect, it } from "vitest";
import type { PromotionOutcome, RunResult } from "../../src/run-result.js";
import { renderSummary } from "../../src/report/render-summary.js";
import { toResultJson } from "../../src/publish/result-json.js";
import { ORIGINAL_JOB_KEYS } from "../support/original-job.js";
import { result } from "../gate/fixtures.js";

const SUITE_URL = "https://opik.example/api/v1/session/redirect/datasets/?dataset_id=0195-suite&path=aHR0cHM6Ly9vcGlr";
const trace = (id: string): string => `https://opik.example/api/v1/session/redirect/projects/?trace_id=${id}&path=aHR0cHM6Ly9vcGlr`;

const promoted: PromotionOutcome = {
  suiteName: "charter_optimization-regressions",
  suiteUrl: SUITE_URL,
  created: true,
  items: [
    {
      spanId: "0194a1b2-0000-7000-8000-000000000001",
      traceId: "0194a1b2-0000-7000-8000-0000000000a1",
      suiteItemId: "0195c3d4-0000-7000-8000-000000000001",
      flags: [
        { metric: "output_format", value: 0, bound: "min", limit: 0.5, reason: "No JSON object or array found in the output" },
        { metric: "hallucination", value: 0.9, bound: "max", limit: 0.5 },
      ],
      url: trace("0194a1b2-0000-7000-8000-0000000000a1"),
    },
    {
      spanId: "0194a1b2-0000-7000-8000-000000000002",
      traceId: "0194a1b2-0000-7000-8000-0000000000a2",
      suiteItemId: "0195c3d4-0000-7000-8000-000000000002",
      flags: [{ metric: "hallucination", error: "the judge answered no JSON | twice" }],
      url: trace("0194a1b2-0000-7000-8000-0000000000a2"),
    },
  ],
  alreadyInSuite: 1,
  overCap: 3,
};

const run = (p: PromotionOutcome): RunResult => ({ ...result(), errors: [], warnings: [], promoted: p });

describe("the summary's promotions", () => {
  it("lists each promoted item with its trace link and what flagged it, and links the suite", async () => {
    const markdown = renderSummary(run(promoted));
    expect(markdown).toContain(`### Promoted to test suite [charter_optimization-regressions](${SUITE_URL})`);
    expect(markdown).toContain(
      "2 item(s) added, worst first (suite created by this run · 1 flagged item(s) already in the suite · 3 more flagged, left out by max_per_run):",
    );
    expect(markdown).toContain(`[0194a1b2-0000-7000-8000-000000000001](${promoted.items[0]!.url})`);
    await expect(markdown).toMatchFileSnapshot("golden/summary-promoted.md");
  });

  it("says when there was nothing new, and when promotion failed, without failing the run", () => {
    expect(renderSummary(run({ ...promoted, created: false, items: [], overCap: 0 }))).toContain(
      "No new failures to promote (1 flagged item(s) already in the suite).",
    );
    const failed = renderSummary(
      run({ suiteName: "charters", created: false, items: [], alreadyInSuite: 0, overCap: 0, failed: "Opik test suite create failed: 503" }),
    );
    expect(failed).toContain("### Promoted to test suite `charters`");
    expect(failed).toContain("⚠️ Promotion failed: Opik test suite create failed: 503. The evaluation above stands; these failures were not added.");
    expect(failed.split("\n")[0]).toContain("— success");
  });

  it("shows nothing when the feature does not promote", () => {
    expect(renderSummary(result())).not.toContain("Promoted to test suite");
  });
});

describe("the result JSON's promoted block", () => {
  it("comes after the original job's fields, in snake_case, with each flag's bound under its own name", () => {
    const json = toResultJson(run(promoted));
    const keys = Object.keys(json);
    expect(keys.slice(0, ORIGINAL_JOB_KEYS.length)).toEqual(ORIGINAL_JOB_KEYS);
    expect(keys.at(-1)).toBe("promoted");
    expect(json.promoted).toEqual({
      suite_name: "charter_optimization-regressions",
      suite_url: SUITE_URL,
      created: true,
      items: [
        {
          span_id: "0194a1b2-0000-7000-8000-000000000001",
          trace_id: "0194a1b2-0000-7000-8000-0000000000a1",
          suite_item_id: "0195c3d4-0000-7000-8000-000000000001",
          flagged_by: [
            { metric: "output_format", value: 0, min: 0.5, reason: "No JSON object or array found in the output" },
            { metric: "hallucination", value: 0.9, max: 0.5 },
          ],
          url: promoted.items[0]!.url,
        },
        {
          span_id: "0194a1b2-0000-7000-8000-000000000002",
          trace_id: "0194a1b2-0000-7000-8000-0000000000a2",
          suite_item_id: "0195c3d4-0000-7000-8000-000000000002",
          flagged_by: [{ metric: "hallucination", error: "the judge answered no JSON | twice" }],
          url: promoted.items[1]!.url,
        },
      ],
      already_in_suite: 1,
      over_cap: 3,
      failed: null,
    });
    expect(toResultJson(result())).not.toHaveProperty("promoted");
  });
});
