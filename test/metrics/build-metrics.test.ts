import { describe, expect, it } from "vitest";
import { METRIC_CATALOG } from "../../src/metrics/metric-catalog.js";
import type { MetricSettings } from "../../src/metrics/metric-settings.js";
import type { JudgeMetricFactory } from "../../src/opik/opik-gateway.js";
import { opikJudgeMetrics } from "../../src/opik/opik-judges.js";
import { buildMetrics } from "../../src/pipeline/build-metrics.js";
import { createOpenAIChatModel } from "../../src/providers/openai-chat-model.js";
import { metricInput } from "./fixtures.js";

// Never called: building a metric makes no request.
const judge = createOpenAIChatModel({ apiKey: "sk-unused", baseURL: "http://127.0.0.1:9/v1", model: "judge-mini", maxRetries: 0 });

const SETTINGS: MetricSettings = {
  regex_match: { pattern: "Paris" },
  contains: { substring: "paris" },
  g_eval: { task_introduction: "You grade answers.", evaluation_criteria: "0 to 10 for correctness." },
  performance: { max_duration_ms: 1000 },
};

describe("buildMetrics", () => {
  it("builds every catalog metric under its own name, and only span metrics ask for the trace", () => {
    const names = METRIC_CATALOG.map((metric) => metric.name);
    const metrics = buildMetrics(names, { judgeMetrics: opikJudgeMetrics, judge, metricSettings: SETTINGS });
    expect(metrics.map((metric) => metric.name)).toEqual(names);
    const spanMetrics = METRIC_CATALOG.filter((metric) => metric.kind === "span").map((metric) => metric.name);
    expect(metrics.filter((metric) => metric.needsTraceSpans).map((metric) => metric.name)).toEqual(spanMetrics);
  });

  it("builds a feature's custom judge by its name", () => {
    const judges = { correctness: { prompt: "{{output}}", rails: { correct: 1, incorrect: 0 } } };
    const [metric] = buildMetrics(["correctness"], { judgeMetrics: opikJudgeMetrics, judge, judges });
    expect(metric?.name).toBe("correctness");
  });

  it("keeps heuristics local: no judge model needed", async () => {
    const [isJson, contains] = buildMetrics(["is_json", "contains"], { judgeMetrics: opikJudgeMetrics, metricSettings: SETTINGS });
    expect(await isJson?.score(metricInput({ output: "[1]" }))).toMatchObject({ ok: true, value: 1 });
    expect(await contains?.score(metricInput({ output: "PARIS" }))).toMatchObject({ ok: true, value: 1 });
  });

  it("passes the g_eval criteria to the judge factory", () => {
    const seen: unknown[] = [];
    const factory: JudgeMetricFactory = {
      ...opikJudgeMetrics,
      gEval(model, criteria) {
        seen.push(criteria);
        return opikJudgeMetrics.gEval(model, criteria);
      },
    };
    buildMetrics(["g_eval"], { judgeMetrics: factory, judge, metricSettings: SETTINGS });
    expect(seen).toEqual([{ taskIntroduction: "You grade answers.", evaluationCriteria: "0 to 10 for correctness." }]);
  });

  it("refuses judges without a judge model and names it does not know", () => {
    expect(() => buildMetrics(["moderation"], { judgeMetrics: opikJudgeMetrics })).toThrow("moderation needs a judge model (judge-provider)");
    expect(() =>
      buildMetrics(["correctness"], { judgeMetrics: opikJudgeMetrics, judges: { correctness: { prompt: "{{output}}", rails: { a: 1, b: 0 } } } }),
    ).toThrow("correctness needs a judge model");
    expect(() => buildMetrics(["bleu"], { judgeMetrics: opikJudgeMetrics })).toThrow('metric "bleu" has no implementation');
  });

  it("builds a metric missing its settings as one that fails every score with what to set", async () => {
    const [regex, gEval] = buildMetrics(["regex_match", "g_eval"], { judgeMetrics: opikJudgeMetrics, judge });
    expect(await regex?.score(metricInput())).toEqual({
      name: "regex_match",
      ok: false,
      error: "regex_match has nothing to check against: set metric_settings.regex_match.pattern in the feature config",
    });
    expect(await gEval?.score(metricInput())).toMatchObject({
      ok: false,
      error: expect.stringContaining("metric_settings.g_eval.task_introduction") as unknown,
    });
  });
});
