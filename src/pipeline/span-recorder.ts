import { AsyncLocalStorage } from "node:async_hooks";
import { costUsd, priceOf } from "../providers/model-prices.js";
import type { ChatModel, TokenUsage } from "../types.js";

/**
 * The spans of one evaluation trace, collected as the SDK's evaluate() collects them: the task and each metric run
 * inside a general span that is the current one of an AsyncLocalStorage (as the SDK's track context is), and every
 * model call made inside lands as an llm span under it. Calls made outside any span (judge-noise re-judging, for
 * one) are not recorded.
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
  /** Absent when the model is not in the action's price table; Opik may then estimate one from its own. */
  costUsd?: number;
  error?: { exceptionType: string; message: string; traceback: string };
  children: SpanNode[];
}

interface TraceContext {
  trace: SpanTrace;
  parent: SpanNode;
}

const context = new AsyncLocalStorage<TraceContext>();

export function errorInfo(error: unknown): { exceptionType: string; message: string; traceback: string } {
  const message = error instanceof Error ? error.message : String(error);
  return { exceptionType: error instanceof Error ? error.name : "Error", message, traceback: (error instanceof Error && error.stack) || message };
}

/** What a span shows of its work's result: its output and, for a result that is a failure, the error. */
export type DescribeResult<T> = (result: T) => { output?: Record<string, unknown>; error?: string };

function startNode(name: string, input: Record<string, unknown> | undefined): SpanNode {
  return { name, type: "general", startTime: new Date(), ...(input ? { input } : {}), children: [] };
}

/** Runs `work` with `node` as the current span, so the model calls it makes land under it. */
async function runNode<T>(trace: SpanTrace, node: SpanNode, work: () => Promise<T>, describe?: DescribeResult<T>): Promise<T> {
  try {
    const result = await context.run({ trace, parent: node }, work);
    const described = describe?.(result) ?? {};
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

/** One trace's span tree, built as its item runs. */
export class SpanTrace {
  readonly roots: SpanNode[] = [];

  /** `work` as a general span at the top of the trace (llm_task). */
  span<T>(name: string, input: Record<string, unknown> | undefined, work: () => Promise<T>, describe?: DescribeResult<T>): Promise<T> {
    const node = startNode(name, input);
    this.roots.push(node);
    return runNode(this, node, work, describe);
  }

  /** A general span at the top of the trace that holds others (metrics_calculation), ended by its owner. */
  open(name: string): OpenSpan {
    const node = startNode(name, undefined);
    this.roots.push(node);
    return new OpenSpan(this, node);
  }
}

export class OpenSpan {
  constructor(
    private readonly trace: SpanTrace,
    private readonly node: SpanNode,
  ) {}

  /** `work` as a general span inside this one (a metric). */
  child<T>(name: string, work: () => Promise<T>, describe?: DescribeResult<T>): Promise<T> {
    const node = startNode(name, undefined);
    this.node.children.push(node);
    return runNode(this.trace, node, work, describe);
  }

  end(output?: Record<string, unknown>): void {
    this.node.endTime = new Date();
    if (output) this.node.output = output;
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
      const current = context.getStore();
      if (!current) return model.complete(messages, options);
      const node: SpanNode = {
        name: `${model.provider}.chat`,
        type: "llm",
        startTime: new Date(),
        input: { messages },
        provider: model.provider,
        model: model.model,
        children: [],
      };
      current.parent.children.push(node);
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
