import { describe, expect, it } from "vitest";
import { createAgentTrajectoryMetric, scoreAgentTrajectory } from "../../src/metrics/span/agent-trajectory.js";
import { classifySpanError, createErrorAnalysisMetric, scoreErrorAnalysis } from "../../src/metrics/span/error-analysis.js";
import { createExecutionQualityMetric, scoreExecutionQuality } from "../../src/metrics/span/execution-quality.js";
import { nestingDepth } from "../../src/metrics/span/nesting-depth.js";
import { createPerformanceMetric, scorePerformance } from "../../src/metrics/span/performance.js";
import type { SpanRecord } from "../../src/types.js";
import { metricInput, span, valueOf } from "./fixtures.js";

/**
 * An agent trace, by timing (SpanRecord has no parent ids):
 *   agent            0–1000 ms
 *     plan (llm)     0–100
 *     search (tool)  100–300   input {q: "paris"}
 *     search (tool)  300–500   input {q: "paris"}   ← repeated
 *     fetch (tool)   500–700   error timeout         ← failed
 *       http         550–650
 *     answer (llm)   700–1000  the harvested span
 */
function agentTrace(): SpanRecord[] {
  return [
    span("agent", { startMs: 0, durationMs: 1000 }),
    span("plan", {
      type: "llm",
      startMs: 0,
      durationMs: 100,
      usage: { prompt_tokens: 300, completion_tokens: 50, total_tokens: 350 },
      totalEstimatedCost: 0.002,
    }),
    span("search-1", { name: "search", type: "tool", startMs: 100, durationMs: 200, input: { q: "paris" } }),
    span("search-2", { name: "search", type: "tool", startMs: 300, durationMs: 200, input: { q: "paris" } }),
    span("fetch", {
      type: "tool",
      startMs: 500,
      durationMs: 200,
      input: { url: "https://example.org" },
      errorInfo: { exceptionType: "TimeoutError", message: "read timed out" },
    }),
    span("http", { startMs: 550, durationMs: 100 }),
    span("span-llm", {
      name: "answer",
      type: "llm",
      startMs: 700,
      durationMs: 300,
      usage: { input_tokens: 500, output_tokens: 150 },
      totalEstimatedCost: 0.003,
    }),
  ];
}

const withTrace = (traceSpans: readonly SpanRecord[]) => metricInput({ traceSpans });

describe("span metrics without the trace", () => {
  it.each([
    ["execution_quality", createExecutionQualityMetric()],
    ["error_analysis", createErrorAnalysisMetric()],
    ["agent_trajectory", createAgentTrajectoryMetric(undefined)],
    ["performance", createPerformanceMetric({ max_duration_ms: 1000 })],
  ])("%s asks for trace spans and fails, not 0, when they are missing or empty", async (name, metric) => {
    expect(metric.needsTraceSpans).toBe(true);
    expect(await metric.score(metricInput())).toEqual({ name, ok: false, error: `${name} needs the trace's spans, and none were fetched for this item` });
    expect(await metric.score(withTrace([]))).toEqual({ name, ok: false, error: `${name}: the trace trace-1 has no spans in Opik` });
  });
});

describe("execution_quality", () => {
  it("is the share of spans without error_info", () => {
    expect(scoreExecutionQuality(withTrace(agentTrace()))).toEqual({ value: 6 / 7, reason: "1 of 7 span(s) failed: fetch" });
  });

  it("is 1 for a clean trace and 0 when every span failed", () => {
    expect(scoreExecutionQuality(withTrace([span("a"), span("b")]))).toEqual({ value: 1, reason: "All 2 span(s) finished without error" });
    expect(valueOf(scoreExecutionQuality(withTrace([span("a", { errorInfo: { message: "x" } })])))).toBe(0);
  });
});

describe("performance", () => {
  it("scores each budget 1 when met and budget ÷ actual when over, and averages", () => {
    // Wall time 1000 ms, tokens 350 + (500 + 150) = 1000, cost 0.005.
    const result = scorePerformance(withTrace(agentTrace()), { max_duration_ms: 2000, max_tokens: 500, max_cost_usd: 0.01 });
    expect(result).toEqual({
      value: (1 + 0.5 + 1) / 3,
      reason: "duration 1000 ms within 2000 ms; tokens 1000 tokens over 500 tokens; cost $0.00500 within $0.0100",
    });
  });

  it("uses only the configured budgets", () => {
    expect(scorePerformance(withTrace(agentTrace()), { max_duration_ms: 250 })).toEqual({ value: 0.25, reason: "duration 1000 ms over 250 ms" });
  });

  it("measures wall time, not the sum of parallel spans", () => {
    const parallel = [span("a", { startMs: 0, durationMs: 400 }), span("b", { startMs: 0, durationMs: 400 }), span("c", { startMs: 100, durationMs: 400 })];
    expect(scorePerformance(withTrace(parallel), { max_duration_ms: 500 })).toMatchObject({ value: 1, reason: "duration 500 ms within 500 ms" });
  });

  it("leaves out a budget nothing records, and fails when none can be measured", () => {
    const noUsage = [span("a", { durationMs: 100 })];
    expect(scorePerformance(withTrace(noUsage), { max_duration_ms: 200, max_tokens: 10 })).toEqual({
      value: 1,
      reason: "duration 100 ms within 200 ms; not recorded by any span: tokens",
    });
    expect(scorePerformance(withTrace(noUsage), { max_tokens: 10, max_cost_usd: 1 })).toEqual({
      error: "performance: nothing to measure against the budgets; not recorded by any span: tokens, cost",
    });
  });

  it("fails every score when no budget is configured", async () => {
    const result = await createPerformanceMetric(undefined).score(withTrace(agentTrace()));
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining("set metric_settings.performance") as unknown });
  });
});

describe("error_analysis", () => {
  it("is 1 without errors", () => {
    expect(scoreErrorAnalysis(withTrace([span("a")]))).toEqual({ value: 1, reason: "No errors in 1 span(s)" });
  });

  it("weighs each error by its pattern and combines them as Π(1 − severity)", () => {
    expect(scoreErrorAnalysis(withTrace(agentTrace()))).toEqual({ value: 0.7, reason: "1 error(s) in 7 span(s): timeout ×1 (severity 0.3)" });
    const trace = [
      span("a", { errorInfo: { exceptionType: "RateLimitError", message: "429 Too Many Requests" } }),
      span("b", { errorInfo: { message: "Request timed out" } }),
      span("c", { errorInfo: { exceptionType: "KeyError", message: "'answer'" } }),
    ];
    const result = scoreErrorAnalysis(withTrace(trace));
    expect(result).toMatchObject({ reason: "3 error(s) in 3 span(s): rate limit ×1 (severity 0.2), timeout ×1 (severity 0.3), other ×1 (severity 0.5)" });
    expect(valueOf(result)).toBeCloseTo(0.8 * 0.7 * 0.5);
  });

  it("scores 0 when the harvested span itself failed", () => {
    const trace = [span("span-llm", { errorInfo: { message: "timeout" } }), span("b")];
    expect(scoreErrorAnalysis(withTrace(trace))).toEqual({ value: 0, reason: "1 error(s) in 2 span(s): harvested span ×1 (severity 1)" });
  });

  it("classifies by the first matching pattern", () => {
    const classify = (message: string) => classifySpanError(span("x", { errorInfo: { message } }), "other").pattern;
    expect(classify("rate limit retries exhausted")).toBe("retries exhausted");
    expect(classify("ValidationError: score must be a number")).toBe("validation");
    expect(classify("Connection timeout")).toBe("timeout");
    expect(classify("boom")).toBe("other");
  });
});

describe("agent_trajectory", () => {
  it("weighs repeated calls, failed tools and depth", () => {
    // 3 tool calls, 1 repeated, 1 failed; depth 3 (agent → fetch → http) is within the default 3.
    const result = scoreAgentTrajectory(withTrace(agentTrace()));
    expect(result).toMatchObject({ reason: "3 tool call(s), 1 repeated (search), 1 failed (fetch), depth 3" });
    expect(valueOf(result)).toBeCloseTo(0.4 * (2 / 3) + 0.4 * (2 / 3) + 0.2);
  });

  it("is 1 for distinct, successful tool calls in a shallow tree", () => {
    const trace = [
      span("agent", { durationMs: 500 }),
      span("t1", { type: "tool", startMs: 0, durationMs: 100, input: { a: 1 } }),
      span("t2", { type: "tool", startMs: 100, durationMs: 100, input: { a: 2 } }),
    ];
    expect(scoreAgentTrajectory(withTrace(trace))).toEqual({ value: 1, reason: "2 tool call(s), none repeated, none failed, depth 2" });
  });

  it("treats the same input with keys in another order as a repeat", () => {
    const trace = [
      span("t1", { name: "lookup", type: "tool", startMs: 0, input: { a: 1, b: 2 } }),
      span("t2", { name: "lookup", type: "tool", startMs: 200, input: { b: 2, a: 1 } }),
    ];
    expect(scoreAgentTrajectory(withTrace(trace))).toMatchObject({ value: 0.4 * 0.5 + 0.4 + 0.2 });
  });

  it("takes 0.1 of the depth score per level beyond max_depth", async () => {
    // Five nested spans: depth 5, two beyond max_depth 3 → depth score 0.8.
    const nested = [0, 1, 2, 3, 4].map((level) =>
      span(`level-${level}`, { type: level === 4 ? "tool" : "general", startMs: level * 10, durationMs: 1000 - level * 20 }),
    );
    expect(scoreAgentTrajectory(withTrace(nested))).toMatchObject({
      value: 0.4 + 0.4 + 0.2 * 0.8,
      reason: "1 tool call(s), none repeated, none failed, depth 5 > 3",
    });
    expect(await createAgentTrajectoryMetric({ max_depth: 5 }).score(withTrace(nested))).toMatchObject({ ok: true, value: 1 });
  });

  it("fails, not 0, for a trace without tool spans", () => {
    expect(scoreAgentTrajectory(withTrace([span("a"), span("b", { type: "llm" })]))).toEqual({
      error: "agent_trajectory: the trace has no tool spans (2 span(s), none of type tool)",
    });
  });
});

describe("nestingDepth", () => {
  it("rebuilds the tree from timing", () => {
    expect(nestingDepth(agentTrace())).toBe(3);
    expect(nestingDepth([span("a"), span("b", { startMs: 200 })])).toBe(1);
  });

  it("nests spans with one interval in list order instead of looping", () => {
    expect(nestingDepth([span("a"), span("b"), span("c")])).toBe(3);
  });

  it("prefers parent links when the spans carry them", () => {
    const linked = [
      span("root"),
      { ...span("child", { startMs: 5000 }), parentSpanId: "root" },
      { ...span("grandchild", { startMs: 9000 }), parentSpanId: "child" },
    ];
    expect(nestingDepth(linked)).toBe(3);
    const cycle = [
      { ...span("a"), parentSpanId: "b" },
      { ...span("b"), parentSpanId: "a" },
    ];
    expect(nestingDepth(cycle)).toBe(2);
  });
});
