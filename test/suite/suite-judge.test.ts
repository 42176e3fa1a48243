import { SYSTEM_PROMPT, USER_PROMPT_TEMPLATE } from "opik";
import { describe, expect, it } from "vitest";
import { judgeAssertions, parseSuiteJudgeReply, suiteJudgeMessages } from "../../src/opik/suite-judge.js";
import type { ChatModel } from "../../src/types.js";

const assertions = ["Is polite", "Mentions the 30-day window"];

describe("the suite judge, as the SDK's LLMJudge", () => {
  it("sends the SDK's system prompt and user template with the assertions listed as assertion_N", () => {
    const [system, user] = suiteJudgeMessages("Can I return shoes?", "Yes, within 30 days.", assertions);
    expect(system).toEqual({ role: "system", content: SYSTEM_PROMPT });
    expect(user?.content).toBe(
      USER_PROMPT_TEMPLATE.replace("{input}", "Can I return shoes?")
        .replace("{output}", "Yes, within 30 days.")
        .replace("{assertions}", "- `assertion_1`: Is polite\n- `assertion_2`: Mentions the 30-day window"),
    );
    // Structured inputs go in as JSON, as the SDK stringifies them.
    expect(suiteJudgeMessages({ q: 1 }, "o", assertions)[1]?.content).toContain('---BEGIN INPUT---\n{"q":1}\n---END INPUT---');
  });

  it("parses the reply per assertion: true passes, false fails, with the judge's reason", () => {
    const reply = JSON.stringify({
      assertion_1: { score: true, reason: "polite", confidence: 0.9 },
      assertion_2: { score: false, reason: "no window", confidence: 0.8 },
    });
    expect(parseSuiteJudgeReply(reply, assertions)).toEqual([
      { assertion: "Is polite", value: 1, reason: "polite" },
      { assertion: "Mentions the 30-day window", value: 0, reason: "no window" },
    ]);
  });

  it("fails a missing or malformed field as a scoring failure, as the SDK's ResponseSchema.parse", () => {
    const reply = "```json\n" + JSON.stringify({ assertion_1: { score: "yes", reason: "r", confidence: 0.5 } }) + "\n```";
    expect(parseSuiteJudgeReply(reply, assertions)).toEqual([
      { assertion: "Is polite", value: 0, reason: 'Assertion field malformed in LLM response: "assertion_1"', scoringFailed: true },
      { assertion: "Mentions the 30-day window", value: 0, reason: 'Assertion field missing from LLM response: "assertion_2"', scoringFailed: true },
    ]);
    expect(parseSuiteJudgeReply(JSON.stringify({ assertion_1: { score: true, reason: "r", confidence: 2 } }), ["a"])[0]?.scoringFailed).toBe(true);
  });

  it("fails every assertion when the reply has no JSON or the judge call throws", async () => {
    expect(parseSuiteJudgeReply("I think so", ["a"])).toEqual([
      { assertion: "a", value: 0, reason: "LLM scoring failed: the reply holds no JSON object", scoringFailed: true },
    ]);
    const broken: ChatModel = { provider: "openai", model: "m", complete: () => Promise.reject(new Error("429 rate limited")) };
    expect(await judgeAssertions(broken, "i", "o", ["a"])).toEqual([
      { assertion: "a", value: 0, reason: "LLM scoring failed: 429 rate limited", scoringFailed: true },
    ]);
    expect(await judgeAssertions(broken, "i", "o", [])).toEqual([]);
  });
});
