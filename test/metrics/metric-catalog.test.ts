import { describe, expect, it } from "vitest";
import { describeMetric, findMetric, METRIC_CATALOG, missingSettings, needsJudgeModel, validMetricNames } from "../../src/metrics/metric-catalog.js";

describe("METRIC_CATALOG", () => {
  it("has unique snake_case names, a range, what it needs and how it scores", () => {
    const names = METRIC_CATALOG.map((metric) => metric.name);
    expect(new Set(names).size).toBe(names.length);
    for (const metric of METRIC_CATALOG) {
      expect(metric.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(metric.range).not.toBe("");
      expect(metric.requires).not.toBe("");
      expect(metric.description.length).toBeGreaterThan(40);
    }
  });

  it("lists the issue's metrics with their kinds and directions", () => {
    const summary = Object.fromEntries(METRIC_CATALOG.map((metric) => [metric.name, `${metric.kind} ${metric.direction}`]));
    expect(summary).toEqual({
      hallucination: "judge lower-is-better",
      moderation: "judge lower-is-better",
      answer_relevance: "judge higher-is-better",
      usefulness: "judge higher-is-better",
      g_eval: "judge higher-is-better",
      output_format: "heuristic higher-is-better",
      is_json: "heuristic higher-is-better",
      regex_match: "heuristic higher-is-better",
      contains: "heuristic higher-is-better",
      exact_match: "heuristic higher-is-better",
      levenshtein_ratio: "heuristic higher-is-better",
      execution_quality: "span higher-is-better",
      performance: "span higher-is-better",
      error_analysis: "span higher-is-better",
      agent_trajectory: "span higher-is-better",
    });
  });
});

describe("catalog lookups", () => {
  const judges = { toxicity: { prompt: "{{output}}", rails: { toxic: 1, "non-toxic": 0 }, direction: "lower-is-better" as const } };

  it("counts a feature's custom judges as metrics of that feature only", () => {
    expect(validMetricNames(judges)).toContain("toxicity");
    expect(validMetricNames()).not.toContain("toxicity");
    expect(describeMetric("toxicity", judges)).toMatchObject({ kind: "custom", direction: "lower-is-better", range: "0–1" });
    expect(describeMetric("toxicity")).toBeUndefined();
    expect(describeMetric("constructor", judges)).toBeUndefined();
    expect(findMetric("toxicity")).toBeUndefined();
  });

  it("needs the judge model for judges and custom judges only", () => {
    const needing = validMetricNames(judges).filter((name) => needsJudgeModel(describeMetric(name, judges)!));
    expect(needing).toEqual(["hallucination", "moderation", "answer_relevance", "usefulness", "g_eval", "toxicity"]);
  });

  it("names the settings a metric cannot run without", () => {
    expect(
      missingSettings(["regex_match", "contains", "exact_match", "g_eval", "performance", "hallucination", "bleu"], { contains: { substring: "x" } }).map(
        (m) => m.metric,
      ),
    ).toEqual(["regex_match", "g_eval", "performance"]);
  });
});
