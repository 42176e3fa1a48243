import { extractMessages } from "../metrics/extract-text.js";
import type { ChatModel, DatasetItemRecord, TokenUsage } from "../types.js";

export interface TaskOutput {
  output: unknown;
  usage?: TokenUsage;
}

export type EvaluationTask = (item: DatasetItemRecord) => Promise<TaskOutput>;

/**
 * The evaluation task: replay returns the span's recorded output (no call);
 * a model answers the span's recorded input again.
 */
export function createEvaluationTask(model: ChatModel | undefined): EvaluationTask {
  if (!model) return (item) => Promise.resolve({ output: item.data.expected_output ?? null });
  return async (item) => {
    const completion = await model.complete(extractMessages(item.data.input));
    return { output: completion.text, ...(completion.usage ? { usage: completion.usage } : {}) };
  };
}
