import type { LocalScore } from "../../src/metrics/metric-result.js";
import type { MetricInput, SpanRecord } from "../../src/types.js";

/** A metric input for one item; the data holds what a harvested span's dataset item holds. */
export function metricInput(overrides: Partial<MetricInput> = {}): MetricInput {
  return {
    data: {
      input: { question: "What is the capital of France?" },
      expected_output: { content: "Paris" },
      span_id: "span-llm",
      trace_id: "trace-1",
      span_name: "answer_question",
      model: "gpt-4o-mini",
      start_time: "2026-02-04T10:00:00.000Z",
    },
    input: "What is the capital of France?",
    output: "Paris",
    rawOutput: "Paris",
    expected: "Paris",
    ...overrides,
  };
}

const T0 = Date.parse("2026-02-04T10:00:00.000Z");

/** A span of trace-1 starting `startMs` after T0 and lasting `durationMs`. */
export function span(id: string, options: Partial<SpanRecord> & { startMs?: number; durationMs?: number } = {}): SpanRecord {
  const { startMs = 0, durationMs = 100, ...rest } = options;
  return {
    id,
    traceId: "trace-1",
    name: id,
    type: "general",
    startTime: new Date(T0 + startMs).toISOString(),
    endTime: new Date(T0 + startMs + durationMs).toISOString(),
    feedbackScores: [],
    ...rest,
  };
}

export function valueOf(score: LocalScore): number {
  if ("error" in score) throw new Error(`expected a score, got the error: ${score.error}`);
  return score.value;
}

export function reasonOf(score: LocalScore): string {
  if ("error" in score) throw new Error(`expected a score, got the error: ${score.error}`);
  return score.reason;
}
