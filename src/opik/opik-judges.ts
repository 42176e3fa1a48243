/**
 * LLM-judge metrics on the opik SDK's own prompts and parsers, run on the
 * configured judge provider through an adapter to the SDK's model interface.
 * We call each metric's score() directly, with trackMetric false: outside
 * evaluate() a tracked metric builds its own env-configured client, and
 * inside it optional inputs (context) would turn required.
 */
import { AnswerRelevance, GEval, Hallucination, Moderation, OpikBaseModel, Usefulness, type EvaluationScoreResult, type OpikMessage } from "opik";
import { errorMessage } from "../errors.js";
import type { ChatModel, Metric, MetricInput, MetricResult } from "../types.js";
import type { JudgeMetricFactory } from "./opik-gateway.js";

type GEvalCriteria = Parameters<JudgeMetricFactory["gEval"]>[1];

/**
 * Exposes a ChatModel to the SDK's judge metrics, so they use the configured
 * provider, key and base URL. Replies the SDK asked to be JSON are checked
 * for a numeric score first: the SDK reads `Number(score)`, so a refusal
 * such as {"score": null} would otherwise pass as a 0.
 */
class ChatModelJudge extends OpikBaseModel {
  constructor(
    private readonly chat: ChatModel,
    private readonly scoreKey: string,
  ) {
    super(chat.model);
  }
  override async generateString(input: string, responseFormat?: unknown): Promise<string> {
    const json = responseFormat !== undefined;
    const completion = await this.chat.complete([{ role: "user", content: input }], { json });
    if (json) checkScoreReply(completion.text, this.scoreKey);
    return completion.text;
  }
  /** Only GEval calls this (for logprobs, which a ChatModel does not give); it reads `.text`. */
  override async generateProviderResponse(messages: OpikMessage[], options?: Record<string, unknown>): Promise<unknown> {
    const prompt = messages.map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content))).join("\n\n");
    return { text: await this.generateString(prompt, options?.output) };
  }
}

/** Throws unless the reply holds JSON (as the SDK finds it) with a number, or a numeric string, under `key`. */
function checkScoreReply(reply: string, key: string): void {
  const parsed = parseLikeSdk(reply);
  if (parsed === undefined) throw new Error(`judge reply is not JSON: ${quote(reply)}`);
  const score = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>)[key] : undefined;
  const numeric = (typeof score === "number" && Number.isFinite(score)) || (typeof score === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(score));
  if (!numeric) throw new Error(`judge reply has no numeric "${key}": ${quote(reply)}`);
}

/** The SDK's own extraction: the whole reply as JSON, else its first "{" to last "}". */
function parseLikeSdk(reply: string): unknown {
  for (const candidate of [reply, reply.slice(reply.indexOf("{"), reply.lastIndexOf("}") + 1)]) {
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // Try the next candidate.
    }
  }
  return undefined;
}

function quote(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return JSON.stringify(line.length > 200 ? `${line.slice(0, 199)}…` : line);
}

type ScoreOnce = (input: MetricInput) => Promise<EvaluationScoreResult>;

/** A Metric around one SDK judge call: any throw, or a score outside 0..1, is a failed score. */
function sdkJudgeMetric(name: string, scoreOnce: ScoreOnce): Metric {
  return {
    name,
    async score(input: MetricInput): Promise<MetricResult> {
      try {
        const result = await scoreOnce(input);
        const value: unknown = result.value;
        if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1)
          return { name, ok: false, error: `judge returned no score between 0 and 1 (got ${String(value)})` };
        const reason = reasonText(result.reason);
        return { name, ok: true, value, ...(reason ? { reason } : {}) };
      } catch (error) {
        return { name, ok: false, error: withCause(error) };
      }
    },
  };
}

/** The SDK's parse errors say only "could not be parsed"; their cause says why. */
function withCause(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause === undefined ? errorMessage(error) : `${errorMessage(error)} (${errorMessage(cause)})`;
}

/** Hallucination's reason may be a list of reasons. */
function reasonText(reason: unknown): string | undefined {
  if (Array.isArray(reason)) return reason.map(String).join(" ") || undefined;
  return typeof reason === "string" && reason ? reason : undefined;
}

/** The span's recorded output as context, unless it is the very output being scored (replay). */
function recordedContext(input: MetricInput): string[] | undefined {
  return input.expected && input.expected !== input.output ? [input.expected] : undefined;
}

// The SDK types each score() input from its zod schema; these pin the shapes we call them with.
type InputOutputContext = (input: { input: string; output: string; context?: string[] }) => Promise<EvaluationScoreResult>;
type InputOutput = (input: { input: string; output: string }) => Promise<EvaluationScoreResult>;
type OutputOnly = (input: { output: string }) => Promise<EvaluationScoreResult>;

export const opikJudgeMetrics: JudgeMetricFactory = {
  hallucination(judge: ChatModel): Metric {
    const metric = new Hallucination({ model: new ChatModelJudge(judge, "score"), trackMetric: false, name: "hallucination" });
    const score = metric.score.bind(metric) as InputOutputContext;
    // The recorded output is the reference even in replay: a faithful replay then scores 0.
    return sdkJudgeMetric("hallucination", (input) => score({ input: input.input, output: input.output, context: input.expected ? [input.expected] : [] }));
  },

  moderation(judge: ChatModel): Metric {
    const metric = new Moderation({ model: new ChatModelJudge(judge, "score"), trackMetric: false, name: "moderation" });
    const score = metric.score.bind(metric) as OutputOnly;
    return sdkJudgeMetric("moderation", (input) => score({ output: input.output }));
  },

  answerRelevance(judge: ChatModel): Metric {
    // Without requireContext: false the SDK throws for an item with no recorded output.
    const metric = new AnswerRelevance({
      model: new ChatModelJudge(judge, "answer_relevance_score"),
      trackMetric: false,
      name: "answer_relevance",
      requireContext: false,
    });
    const score = metric.score.bind(metric) as InputOutputContext;
    return sdkJudgeMetric("answer_relevance", (input) => {
      const context = recordedContext(input);
      return score({ input: input.input, output: input.output, ...(context ? { context } : {}) });
    });
  },

  usefulness(judge: ChatModel): Metric {
    const metric = new Usefulness({ model: new ChatModelJudge(judge, "score"), trackMetric: false, name: "usefulness" });
    const score = metric.score.bind(metric) as InputOutput;
    return sdkJudgeMetric("usefulness", (input) => score({ input: input.input, output: input.output }));
  },

  gEval(judge: ChatModel, criteria: GEvalCriteria): Metric {
    const metric = new GEval({
      taskIntroduction: criteria.taskIntroduction,
      evaluationCriteria: criteria.evaluationCriteria,
      model: new ChatModelJudge(judge, "score"),
      trackMetric: false,
      name: "g_eval",
    });
    const score = metric.score.bind(metric) as OutputOnly;
    // GEval's prompt shows the judge one text; criteria usually need the question as well as the answer.
    return sdkJudgeMetric("g_eval", (input) => score({ output: `QUESTION:\n${input.input}\n\nANSWER TO EVALUATE:\n${input.output}` }));
  },
};
