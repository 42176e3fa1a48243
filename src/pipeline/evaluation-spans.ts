import { EVALUATION_SPAN_BYTES } from "../constants.js";
import type { EvaluationSpan } from "../opik/opik-gateway.js";
import { jsonBytes } from "../opik/write-batches.js";
import { derivedUuidV7, uuidV7Millis } from "./derived-id.js";
import { fitJson } from "./fit-item.js";
import type { SpanNode, SpanTrace } from "./span-recorder.js";

export interface TraceSpans {
  spans: EvaluationSpan[];
  /** Serialized size, for the writer's memory bound. */
  bytes: number;
  /** Spans whose input or output was cut to EVALUATION_SPAN_BYTES. */
  truncated: number;
}

/**
 * The recorded tree as Opik spans of `traceId`. Each id derives from the trace id and the span's path (position and
 * name under its parent), so a rerun that writes the same trace again upserts its spans instead of adding more.
 */
export function evaluationSpans(trace: SpanTrace, traceId: string): TraceSpans {
  const millis = uuidV7Millis(traceId) ?? 0;
  const result: TraceSpans = { spans: [], bytes: 0, truncated: 0 };
  const visit = (nodes: readonly SpanNode[], parentPath: string, parentSpanId: string | undefined): void => {
    nodes.forEach((node, index) => {
      const path = `${parentPath}/${index}:${node.name}`;
      const id = derivedUuidV7(millis, `span:${traceId}:${path}`);
      const span = toSpan(node, id, parentSpanId);
      const fitted = fitJson({ input: span.input, output: span.output }, EVALUATION_SPAN_BYTES);
      if (fitted.truncated) {
        result.truncated += 1;
        if (fitted.value.input) span.input = fitted.value.input;
        if (fitted.value.output) span.output = fitted.value.output;
      }
      result.spans.push(span);
      result.bytes += jsonBytes(span);
      visit(node.children, path, id);
    });
  };
  visit(trace.roots, "", undefined);
  return result;
}

function toSpan(node: SpanNode, id: string, parentSpanId: string | undefined): EvaluationSpan {
  const usage = node.usage;
  return {
    id,
    ...(parentSpanId ? { parentSpanId } : {}),
    name: node.name,
    type: node.type,
    startTime: node.startTime,
    endTime: node.endTime ?? node.startTime,
    ...(node.input ? { input: node.input } : {}),
    ...(node.output ? { output: node.output } : {}),
    ...(node.metadata ? { metadata: node.metadata } : {}),
    ...(node.model ? { model: node.model } : {}),
    ...(node.provider ? { provider: node.provider } : {}),
    ...(usage ? { usage: { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.totalTokens } } : {}),
    ...(node.costUsd !== undefined ? { totalEstimatedCost: node.costUsd } : {}),
    ...(node.error ? { error: node.error } : {}),
  };
}
