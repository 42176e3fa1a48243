import type { Opik } from "opik";
import type { EvaluationSpan } from "./opik-gateway.js";

type SpanWrite = Parameters<Opik["api"]["spans"]["createSpans"]>[0]["spans"][number];

/** An evaluation trace's span as the spans batch endpoint takes it, in the evaluation project, sourced as an experiment's. */
export function toSpanWrite(span: EvaluationSpan, traceId: string, projectName: string): SpanWrite {
  return {
    id: span.id,
    projectName,
    traceId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    name: span.name,
    type: span.type,
    startTime: span.startTime,
    endTime: span.endTime,
    ...(span.input ? { input: span.input } : {}),
    ...(span.output ? { output: span.output } : {}),
    ...(span.metadata ? { metadata: span.metadata } : {}),
    ...(span.model ? { model: span.model } : {}),
    ...(span.provider ? { provider: span.provider } : {}),
    ...(span.usage ? { usage: { ...span.usage } } : {}),
    ...(span.totalEstimatedCost !== undefined ? { totalEstimatedCost: span.totalEstimatedCost } : {}),
    ...(span.error ? { errorInfo: { exceptionType: span.error.exceptionType, message: span.error.message, traceback: span.error.traceback } } : {}),
    source: "experiment",
  };
}
