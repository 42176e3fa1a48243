import { LLMJudge } from "opik";
import { describe, expect, it } from "vitest";
import { assertionEvaluators, assertionsOf } from "../../src/opik/suite-evaluators.js";

describe("assertionEvaluators", () => {
  it("writes what the SDK's serializeEvaluators writes for new LLMJudge({ assertions })", () => {
    // The SDK's judge resolves its default model on construction, which wants a key; it is never called.
    process.env.OPENAI_API_KEY ??= "not-used-by-this-test";
    const assertions = ["The reply is JSON", "It cites the article (e.g. $1 or `§4`)"];
    const judge = new LLMJudge({ assertions, track: false });
    expect(assertionEvaluators(assertions)).toEqual([{ name: "llm_judge", type: "llm_judge", config: judge.toConfig() }]);
  });

  it("writes no evaluator for no assertions, and reads assertions back as the SDK does", () => {
    expect(assertionEvaluators([])).toEqual([]);
    expect(assertionsOf(assertionEvaluators(["Is polite", "Is short"]))).toEqual(["Is polite", "Is short"]);
    expect(
      assertionsOf([
        { type: "code_metric", config: {} },
        { type: "llm_judge", config: { schema: [{ name: "only a name" }] } },
      ]),
    ).toEqual(["only a name"]);
    expect(assertionsOf(undefined)).toEqual([]);
  });
});
