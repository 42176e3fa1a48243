import { renderPrompt, type PromptTemplate } from "../config/parse-prompt.js";
import { extractMessages, extractText } from "../metrics/extract-text.js";
import type { ChatMessage, ChatModel, DatasetItemRecord, TokenUsage } from "../types.js";

export interface TaskOutput {
  output: unknown;
  usage?: TokenUsage;
}

export type EvaluationTask = (item: DatasetItemRecord) => Promise<TaskOutput>;

/**
 * The variables a prompt template sees: the recorded input's own fields (so
 * `{{question}}` works for an input `{question}`), plus `input` and
 * `expected_output` as text and the item's other fields.
 */
export function promptVariables(data: Record<string, unknown>): Record<string, unknown> {
  const input = data.input;
  const fields = input && typeof input === "object" && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  return { ...data, ...fields, input: extractText(input), expected_output: extractText(data.expected_output) };
}

/**
 * The evaluation task: replay returns the span's recorded output (no call);
 * a model answers either the span's recorded messages again, or the feature's
 * prompt file rendered with the item's variables (how a pull request
 * evaluates its own version of a prompt).
 */
export function createEvaluationTask(model: ChatModel | undefined, prompt?: PromptTemplate): EvaluationTask {
  if (!model) return (item) => Promise.resolve({ output: item.data.expected_output ?? null });
  const messagesFor = (item: DatasetItemRecord): ChatMessage[] =>
    prompt ? renderPrompt(prompt, promptVariables(item.data)) : extractMessages(item.data.input);
  return async (item) => {
    const completion = await model.complete(messagesFor(item));
    return { output: completion.text, ...(completion.usage ? { usage: completion.usage } : {}) };
  };
}
