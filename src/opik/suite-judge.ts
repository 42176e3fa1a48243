import { SYSTEM_PROMPT, TASK_ERROR_SCORE_NAME, USER_PROMPT_TEMPLATE } from "opik";
import { errorMessage } from "../errors.js";
import { findJson } from "../metrics/find-json.js";
import type { ChatModel } from "../types.js";

/** The score name the SDK gives a run whose task threw: the run fails, whatever its assertions. */
export const SUITE_TASK_ERROR_SCORE = TASK_ERROR_SCORE_NAME;

/** One assertion's answer, as the SDK's LLMJudge scores it: 1 passed, 0 failed; `scoringFailed` when the judge gave no usable answer. */
export interface AssertionScore {
  assertion: string;
  value: 0 | 1;
  reason: string;
  scoringFailed?: true;
}

/** The SDK's field keys: assertion_1, assertion_2, ... in the order the assertions are listed. */
function fieldKeys(assertions: readonly string[]): [string, string][] {
  return assertions.map((assertion, index) => [`assertion_${index + 1}`, assertion]);
}

/** The messages the SDK's suite judge sends (LLMJudge.score): its system prompt and its user template, filled in. */
export function suiteJudgeMessages(input: unknown, output: unknown, assertions: readonly string[]): { role: "system" | "user"; content: string }[] {
  const text = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value ?? ""));
  const listing = fieldKeys(assertions)
    .map(([key, assertion]) => `- \`${key}\`: ${assertion}`)
    .join("\n");
  const user = USER_PROMPT_TEMPLATE.replace("{input}", text(input)).replace("{output}", text(output)).replace("{assertions}", listing);
  return [
    { role: "system", content: SYSTEM_PROMPT },
    { role: "user", content: user },
  ];
}

function isAnswer(value: unknown): value is { score: boolean; reason: string; confidence: number } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const answer = value as Record<string, unknown>;
  return (
    typeof answer.score === "boolean" &&
    typeof answer.reason === "string" &&
    typeof answer.confidence === "number" &&
    answer.confidence >= 0 &&
    answer.confidence <= 1
  );
}

/**
 * Reads the judge's reply as the SDK's ResponseSchema.parse does: a missing or
 * malformed field fails that assertion as a scoring failure; a reply with no
 * JSON object fails them all, as the SDK's "LLM scoring failed".
 */
export function parseSuiteJudgeReply(reply: string, assertions: readonly string[]): AssertionScore[] {
  const found = findJson(reply, (value) => !Array.isArray(value));
  if (!found) return failAll(assertions, "LLM scoring failed: the reply holds no JSON object");
  const answers = found.value as Record<string, unknown>;
  return fieldKeys(assertions).map(([key, assertion]): AssertionScore => {
    const answer = answers[key];
    if (answer === undefined || answer === null)
      return { assertion, value: 0, reason: `Assertion field missing from LLM response: "${key}"`, scoringFailed: true };
    if (!isAnswer(answer)) return { assertion, value: 0, reason: `Assertion field malformed in LLM response: "${key}"`, scoringFailed: true };
    return { assertion, value: answer.score ? 1 : 0, reason: answer.reason };
  });
}

function failAll(assertions: readonly string[], reason: string): AssertionScore[] {
  return assertions.map((assertion) => ({ assertion, value: 0, reason, scoringFailed: true }));
}

/** One call of the judge for every assertion of a run, as the SDK merges an item's judges into one. */
export async function judgeAssertions(judge: ChatModel, input: unknown, output: unknown, assertions: readonly string[]): Promise<AssertionScore[]> {
  if (!assertions.length) return [];
  try {
    const completion = await judge.complete(suiteJudgeMessages(input, output, assertions), { json: true });
    return parseSuiteJudgeReply(completion.text, assertions);
  } catch (error) {
    return failAll(assertions, `LLM scoring failed: ${errorMessage(error)}`);
  }
}
