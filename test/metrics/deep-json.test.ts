import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../../src/constants.js";
import { TOO_DEEP } from "../../src/metrics/bounded-json.js";
import { extractText, stableJson } from "../../src/metrics/extract-text.js";
import { createOutputFormatMetric } from "../../src/metrics/output-format.js";
import { createIsJsonMetric } from "../../src/metrics/text-heuristics.js";
import { scoreAgentTrajectory } from "../../src/metrics/span/agent-trajectory.js";
import { classifyErrorTrace } from "../../src/pipeline/classify-error-trace.js";
import type { MetricInput, SpanRecord } from "../../src/types.js";

/** 12,000 levels: far past where a recursive walk or JSON.stringify overflows the stack. */
const LEVELS = 12_000;

/** `{"a":{"a":...{"a":"leaf"}...}}` as text, built without recursion. */
function deepJsonText(levels: number, key = "a"): string {
  return `${`{"${key}":`.repeat(levels)}"leaf"${"}".repeat(levels)}`;
}

function deepObject(levels: number, key = "a"): unknown {
  let value: unknown = "leaf";
  for (let i = 0; i < levels; i += 1) value = { [key]: value };
  return value;
}

function metricInput(output: string, rawOutput: unknown = output): MetricInput {
  return { data: {}, input: "q", output, rawOutput, expected: "" };
}

describe(`JSON nested ${LEVELS.toLocaleString("en-US")} levels deep`, () => {
  it("is what overflows JSON.stringify (the reason for the bound)", () => {
    expect(() => JSON.stringify(deepObject(LEVELS))).toThrow(RangeError);
  });

  it("extract-text reads it without a stack overflow, writing the part past MAX_JSON_DEPTH as a placeholder", () => {
    const nested = deepObject(LEVELS, "output");
    const text = extractText(nested);
    expect(text).toContain(TOO_DEEP);
    expect(extractText(deepObject(LEVELS, "x"))).toContain(TOO_DEEP);
    expect(extractText({ messages: [{ role: "user", content: deepObject(LEVELS, "content") }] })).toContain(TOO_DEEP);
    const stable = stableJson(deepObject(LEVELS));
    expect(stable.startsWith('{"a":'.repeat(MAX_JSON_DEPTH))).toBe(true);
    expect(stable).toContain(JSON.stringify(TOO_DEEP));
    // Shallow values read as before.
    expect(stableJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
  });

  it("output_format scores it, also when a failed enum or const check shows the value", async () => {
    const deepVerdict = `{"verdict":${deepJsonText(LEVELS)},"score":1}`;
    const enumOnly = createOutputFormatMetric({ json_schema: { type: "object", properties: { verdict: { enum: ["valid", "invalid"] } } } });
    const enumResult = await enumOnly.score(metricInput(deepVerdict));
    expect(enumResult).toMatchObject({ ok: true, value: 0.5 });
    expect(enumResult.ok && enumResult.reason).toContain('"verdict" should be one of "valid", "invalid"');

    const constOnly = createOutputFormatMetric({ json_schema: { properties: { verdict: { const: deepObject(3) } } } });
    const constResult = await constOnly.score(metricInput(deepVerdict));
    expect(constResult).toMatchObject({ ok: true, value: 0.5 });
    expect(constResult.ok && constResult.reason).toContain('"verdict" should be {"a":{"a":{"a":"leaf"}}} (got {"a":{"a":');

    const bare = createOutputFormatMetric(undefined);
    expect(await bare.score(metricInput(deepJsonText(LEVELS)))).toMatchObject({ ok: true, value: 1 });
  });

  it("is_json, agent_trajectory and the error-trace classifier take it too", async () => {
    const isJson = createIsJsonMetric();
    expect(await isJson.score(metricInput(deepJsonText(LEVELS)))).toMatchObject({ ok: true, value: 1 });

    const span = (id: string): SpanRecord => ({
      id,
      traceId: "t",
      name: "lookup",
      type: "tool",
      startTime: new Date(0).toISOString(),
      input: deepObject(LEVELS),
      feedbackScores: [],
    });
    const trajectory = scoreAgentTrajectory({ ...metricInput("x"), data: { trace_id: "t" }, traceSpans: [span("1"), span("2")] });
    expect(trajectory).toMatchObject({ reason: expect.stringContaining("1 repeated (lookup)") as unknown });

    expect(classifyErrorTrace({ output: { error: deepObject(LEVELS) } })).toBe("error");
  });
});
