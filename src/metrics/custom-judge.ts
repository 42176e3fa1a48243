/**
 * Custom judges: the feature config's own prompt templates whose reply must
 * be one of a fixed label set (rails), each label mapped to a score, in the
 * manner of Arize's online eval templates. Our code, not an opik class, on
 * the configured judge ChatModel.
 */
import Mustache from "mustache";
import { errorMessage } from "../errors.js";
import type { ChatModel, Metric, MetricInput, MetricResult } from "../types.js";
import { extractText } from "./extract-text.js";
import type { CustomJudgeSpec } from "./metric-settings.js";
import { parseRailsReply } from "./rails-reply.js";

export function createCustomJudgeMetric(name: string, spec: CustomJudgeSpec, judge: ChatModel): Metric {
  const labels = Object.keys(spec.rails);
  return {
    name,
    async score(input: MetricInput): Promise<MetricResult> {
      try {
        const completion = await judge.complete([{ role: "user", content: renderJudgePrompt(spec, input) }], { json: spec.explanation === true });
        const reply = parseRailsReply(completion.text, labels);
        if ("error" in reply) return { name, ok: false, error: reply.error };
        const value = spec.rails[reply.label];
        if (value === undefined) return { name, ok: false, error: `judge label ${reply.label} has no score` };
        return { name, ok: true, value, reason: reply.explanation ? `${reply.label}: ${reply.explanation}` : reply.label };
      } catch (error) {
        return { name, ok: false, error: `judge call failed: ${errorMessage(error)}` };
      }
    },
  };
}

/**
 * The prompt for one item: the template rendered with the item's data
 * fields, then input, output and expected as text (these win over data
 * fields of the same name), followed by how to answer. No HTML escaping: this
 * goes to a model, not a page; objects render as their text (extract-text.ts).
 */
export function renderJudgePrompt(spec: CustomJudgeSpec, input: MetricInput): string {
  const view = { ...input.data, input: input.input, output: input.output, expected: input.expected };
  const rendered = Mustache.render(spec.prompt, view, {}, { escape: (value: unknown) => (typeof value === "string" ? value : extractText(value)) });
  return `${rendered.trimEnd()}\n\n${answerInstructions(spec)}`;
}

function answerInstructions(spec: CustomJudgeSpec): string {
  const labels = Object.keys(spec.rails).join(", ");
  if (spec.explanation) {
    return `Reply with only a JSON object {"label": "<one of: ${labels}>", "explanation": "<a short reason for the label>"}.`;
  }
  return `Reply with exactly one of these labels and nothing else: ${labels}.`;
}

/** Problems with a judge template, so a broken one is rejected while parsing the config. */
export function judgePromptProblems(prompt: string): string[] {
  let tokens: unknown[];
  try {
    tokens = Mustache.parse(prompt);
  } catch (error) {
    return [`not a valid mustache template: ${errorMessage(error)}`];
  }
  return usesVariable(tokens, "output") ? [] : ["never uses {{output}}, so the judge would not see what it scores"];
}

/** Mustache token types that read a variable: {{x}}, {{{x}}}, {{&x}}, {{#x}}, {{^x}}. */
const VARIABLE_TAGS = new Set<unknown>(["name", "{", "&", "#", "^"]);

/** Whether a parsed template reads `name` anywhere, in a tag or a section. */
function usesVariable(tokens: unknown[], name: string): boolean {
  return tokens.some((token) => {
    if (!Array.isArray(token)) return false;
    const [type, value, , , children] = token as [unknown, unknown, unknown, unknown, unknown];
    return (VARIABLE_TAGS.has(type) && value === name) || (Array.isArray(children) && usesVariable(children as unknown[], name));
  });
}
