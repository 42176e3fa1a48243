import { AsyncLocalStorage } from "node:async_hooks";
import { costUsd, priceOf } from "../providers/model-prices.js";
import type { ChatModel, TokenUsage } from "../types.js";

/**
 * The spans of one evaluation trace, collected as the SDK's evaluate() collects them: the item's run enters a
 * trace context (an AsyncLocalStorage, as the SDK's trace context is), the task and the metrics open general spans
 * in it, and every model call made inside lands as an llm span under the span open at that moment. Calls made
 * outside any trace (judge-noise re-judging, for one) are not recorded.
 */
export interface SpanNode {
  name: string;
  type: "general" | "llm";
  startTime: Date;
  endTime?: Date;
  input?: Record<string, unknown>;
  output?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  model?: string;
  provider?: string;
  usage?: TokenUsage;
  /** Absent when the model has no price in the table (Opik then shows no cost rather than a guessed one). */
  costUsd?: number;
  error?: { exceptionType: string; message: string; traceback: string };
  children: SpanNode[];
}

interface TraceContext {
  trace: SpanTrace;
  parent?: SpanNode;
}

const context = new AsyncLocalStorage<TraceContext>();

/** One trace's span tree, built while `run` is in progress. */
export class SpanTrace {
  readonly roots: SpanNode[] = [];

  /** Runs `work` inside this trace, so the spans and model calls it makes are recorded here. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return context.run({ trace: this }, work);
  }
}

function attach(node: SpanNode): boolean {
  const current = context.getStore();
  if (!current) return false;
  (current.parent ? current.parent.children : current.trace.roots).push(node);
  return true;
}

export function errorInfo(error: unknown): { exceptionType: string; message: string; traceback: string } {
  const message = error instanceof Error ? error.message : String(error);
  return { exceptionType: error instanceof Error ? error.name : "Error", message, traceback: (error instanceof Error && error.stack) || message };
}

/**
 * Runs `work` as a general span of the current trace (a plain call outside one); `describe` gives the span's output
 * and, for a result that is a failure, its error.
 */
export async function inSpan<T>(
  name: string,
  input: Record<string, unknown> | undefined,
  work: () => Promise<T>,
  describe: (result: T) => { output?: Record<string, unknown>; error?: string } = () => ({}),
): Promise<T> {
  const node: SpanNode = { name, type: "general", startTime: new Date(), ...(input ? { input } : {}), children: [] };
  const current = context.getStore();
  if (!current || !attach(node)) return work();
  try {
    const result = await context.run({ trace: current.trace, parent: node }, work);
    const described = describe(result);
    if (described.output) node.output = described.output;
    if (described.error !== undefined) node.error = { exceptionType: "MetricError", message: described.error, traceback: described.error };
    return result;
  } catch (error) {
    node.error = errorInfo(error);
    throw error;
  } finally {
    node.endTime = new Date();
  }
}

/**
 * The model, with each call recorded as an llm span of the current trace: model, provider, usage, start and end,
 * the messages sent and the reply. A completion the cache answered is marked `cached` and costs 0 explicitly: it
 * was not paid for again, and a span with usage but no cost would have Opik estimate one from its own price table.
 */
export function recordModelCalls(model: ChatModel): ChatModel {
  return {
    provider: model.provider,
    model: model.model,
    complete: async (messages, options) => {
      if (!context.getStore()) return model.complete(messages, options);
      const node: SpanNode = {
        name: `${model.provider}.chat`,
        type: "llm",
        startTime: new Date(),
        input: { messages },
        provider: model.provider,
        model: model.model,
        children: [],
      };
      attach(node);
      try {
        const completion = await model.complete(messages, options);
        node.model = completion.model || model.model;
        node.output = { content: completion.text };
        if (completion.usage) node.usage = completion.usage;
        const price = priceOf(model.provider, node.model);
        if (completion.cached) {
          node.metadata = { cached: true };
          node.costUsd = 0;
        } else if (price) {
          node.costUsd = costUsd(price, completion.usage?.promptTokens ?? 0, completion.usage?.completionTokens ?? 0);
        }
        return completion;
      } catch (error) {
        node.error = errorInfo(error);
        throw error;
      } finally {
        node.endTime = new Date();
      }
    },
  };
}
