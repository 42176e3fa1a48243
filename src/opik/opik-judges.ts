/**
 * LLM-judge metrics on the opik SDK's own prompts and parsers, run on the
 * configured judge provider through an adapter to the SDK's model interface.
 */
import { Hallucination, OpikBaseModel, type EvaluationScoreResult, type OpikMessage } from "opik";
import { errorMessage } from "../errors.js";
import type { ChatModel, Metric, MetricInput } from "../types.js";
import type { JudgeMetricFactory } from "./opik-gateway.js";

/** Exposes a ChatModel to the SDK's judge metrics, so they use the configured provider, key and base URL. */
class ChatModelJudge extends OpikBaseModel {
  constructor(private readonly chat: ChatModel) {
    super(chat.model);
  }
  override async generateString(input: string, responseFormat?: unknown): Promise<string> {
    const completion = await this.chat.complete([{ role: "user", content: input }], { json: responseFormat !== undefined });
    return completion.text;
  }
  override async generateProviderResponse(messages: OpikMessage[]): Promise<unknown> {
    const prompt = messages.map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content))).join("\n\n");
    return { text: await this.generateString(prompt) };
  }
}

export const opikJudgeMetrics: JudgeMetricFactory = {
  hallucination(judge: ChatModel): Metric {
    // trackMetric false: outside evaluate() a tracked metric builds its own env-configured client.
    const metric = new Hallucination({ model: new ChatModelJudge(judge), trackMetric: false, name: "hallucination" });
    // The SDK's input type is built from its zod schema; pin the one we call it with.
    const scoreWith = metric.score.bind(metric) as (input: { input: string; output: string; context: string[] }) => Promise<EvaluationScoreResult>;
    return {
      name: "hallucination",
      async score(input: MetricInput) {
        try {
          const result = await scoreWith({ input: input.input, output: input.output, context: input.expected ? [input.expected] : [] });
          const first: EvaluationScoreResult | undefined = result;
          if (!first || typeof first.value !== "number" || Number.isNaN(first.value)) return { name: "hallucination", ok: false, error: "judge returned no score" };
          return { name: "hallucination", ok: true, value: first.value, ...(first.reason ? { reason: String(first.reason) } : {}) };
        } catch (error) {
          return { name: "hallucination", ok: false, error: errorMessage(error) };
        }
      },
    };
  },
};

