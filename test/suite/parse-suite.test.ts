import { describe, expect, it } from "vitest";
import { parseConfig, type RegistrySource } from "../../src/config/parse-config.js";
import { ConfigError } from "../../src/errors.js";

const NOW = new Date("2026-02-04T14:30:52Z");
const registry = (suite = ""): RegistrySource => ({
  path: ".github/opik-evaluate.yml",
  text: `
project: shop
features:
  refunds:
    span_name: refund_answer
    dataset_prefix: refunds
    metrics: [output_format]
${suite ? `    test_suite: { name: ${suite} }` : ""}
`,
});
/** Only an evaluate run runs the suite, so only there does it need a judge. */
const base = { "experiment-type": "refunds", "opik-url": "http://127.0.0.1:5173/api", mode: "evaluate" };

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("test-suite, min-pass-rate and features.<type>.test_suite", () => {
  it("takes the suite from the feature, the input overriding it, with min-pass-rate defaulting to 1", () => {
    const fromConfig = parseConfig({ ...base, "task-provider": "openai", "openai-api-key": "k" }, registry("from-config"), NOW);
    expect(fromConfig.suite).toEqual({ name: "from-config", minPassRate: 1, from: "config" });
    const fromInput = parseConfig(
      { ...base, "task-provider": "openai", "openai-api-key": "k", "test-suite": "pr-suite", "min-pass-rate": "0.9" },
      registry("x"),
      NOW,
    );
    expect(fromInput.suite).toEqual({ name: "pr-suite", minPassRate: 0.9, from: "input" });
    expect(parseConfig({ ...base, "task-provider": "replay" }, registry(), NOW).suite).toBeUndefined();
  });

  it("judges a suite with the task provider, or the judge provider, even when no metric needs a judge", () => {
    const config = parseConfig({ ...base, "task-provider": "openai", "openai-api-key": "k", "test-suite": "s" }, registry(), NOW);
    expect(config.judge).toMatchObject({ provider: "openai", model: "gpt-4o-mini" });
    const replay = parseConfig({ ...base, "task-provider": "replay", "judge-provider": "ollama", "test-suite": "s" }, registry(), NOW);
    expect(replay.judge).toMatchObject({ provider: "ollama" });
  });

  it("reports a bad min-pass-rate, a replay suite without a judge and an unknown test_suite key, all at once", () => {
    expect(problemsOf(() => parseConfig({ ...base, "task-provider": "replay", "test-suite": "s", "min-pass-rate": "2" }, registry(), NOW))).toEqual([
      'min-pass-rate: expected a number from 0 to 1, e.g. 0.9 (got "2")',
    ]);
    expect(problemsOf(() => parseConfig({ ...base, "task-provider": "replay", "test-suite": "s" }, registry(), NOW))).toEqual([
      "judge-provider: required because test suite s is judged by an LLM and task-provider replay calls no model (expected gemini, openai or ollama)",
    ]);
    const unknownKey = {
      path: ".github/opik-evaluate.yml",
      text: "features:\n  refunds:\n    span_name: a\n    dataset_prefix: b\n    test_suite: { nam: x }\n",
    };
    expect(problemsOf(() => parseConfig({ ...base, "task-provider": "replay" }, unknownKey, NOW))[0]).toContain("features.refunds.test_suite");
  });
});
