import { ResponseSchema, SYSTEM_PROMPT, USER_PROMPT_TEMPLATE } from "opik";

/** The judge model the SDK records on an assertion list when none is given (LLMJudge's default). */
const SDK_JUDGE_MODEL = "gpt-5-nano";

/**
 * A suite's assertions as the SDK stores them (serializeEvaluators over `new LLMJudge({ assertions })`): one
 * evaluator of type llm_judge whose config carries the judge's prompt and one BOOLEAN schema entry per assertion.
 * Built here from the SDK's own prompt and schema so that no judge model (and no provider key) is needed to write it.
 */
export function assertionEvaluators(assertions: readonly string[]): Array<{ name: string; type: "llm_judge"; config: Record<string, unknown> }> {
  if (assertions.length === 0) return [];
  const user = USER_PROMPT_TEMPLATE.replace("{assertions}", new ResponseSchema([...assertions]).formatAssertions());
  return [
    {
      name: "llm_judge",
      type: "llm_judge",
      config: {
        version: "1.0.0",
        name: "llm_judge",
        model: { name: SDK_JUDGE_MODEL, customParameters: { reasoning_effort: "low" } },
        messages: [
          { role: "SYSTEM", content: SYSTEM_PROMPT },
          { role: "USER", content: user },
        ],
        variables: { input: "input", output: "output" },
        schema: assertions.map((assertion) => ({ name: assertion, type: "BOOLEAN", description: assertion })),
      },
    },
  ];
}

/** The assertions stored evaluators hold, read as the SDK reads them back (a schema entry's description, else its name). */
export function assertionsOf(evaluators: unknown): string[] {
  if (!Array.isArray(evaluators)) return [];
  return evaluators.flatMap((evaluator: unknown) => {
    const e = evaluator as { type?: unknown; config?: { schema?: unknown } };
    if (e.type !== "llm_judge" || !Array.isArray(e.config?.schema)) return [];
    return (e.config.schema as Array<{ name?: unknown; description?: unknown }>).flatMap((entry) => {
      const text = typeof entry.description === "string" ? entry.description : entry.name;
      return typeof text === "string" ? [text] : [];
    });
  });
}
