import { describe, expect, it } from "vitest";
import { parseConfig, type RegistrySource } from "../../src/config/parse-config.js";
import { ConfigError } from "../../src/errors.js";

const NOW = new Date("2026-02-04T14:30:52Z");
const INPUTS = { "task-provider": "replay", "opik-url": "http://127.0.0.1:5173/api" } as const;
const FILE = ".github/opik-evaluate.yml";

/** The charter feature with `testSuite` (YAML, indented under the feature) and, unless set otherwise, a threshold. */
function registry(testSuite: string, thresholds = "thresholds: { output_format: { min: 0.9 } }"): RegistrySource {
  return {
    path: FILE,
    text: `
project: charter-project
features:
  charter_optimization:
    span_name: charter_validation
    dataset_prefix: charter-optimization
    metrics: [output_format, hallucination]
    output_format: { regex: "\\\\{.*\\\\}" }
    ${thresholds}
    test_suite:
${testSuite
  .trim()
  .split("\n")
  .map((line) => `      ${line}`)
  .join("\n")}
`,
  };
}

function problemsOf(source: RegistrySource, inputs: Record<string, string> = {}): readonly string[] {
  try {
    parseConfig({ ...INPUTS, "judge-provider": "openai", "openai-api-key": "k", ...inputs }, source, NOW);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const parse = (source: RegistrySource) => parseConfig({ ...INPUTS, "judge-provider": "openai", "openai-api-key": "k" }, source, NOW);

describe("features.<type>.test_suite: promotion", () => {
  it("reads bounds, assertions, execution policy and cap; names the suite after the experiment type by default", () => {
    const config = parse(
      registry(`
promote: { output_format: { min: 0.5 }, hallucination: { max: 0.5 } }
assertions: [The reply is JSON, The verdict is justified]
execution_policy: { runs_per_item: 3, pass_threshold: 2 }
max_per_run: 4`),
    );
    expect(config.feature.promote).toEqual({
      suiteName: "charter_optimization-regressions",
      bounds: { output_format: { min: 0.5 }, hallucination: { max: 0.5 } },
      assertions: ["The reply is JSON", "The verdict is justified"],
      executionPolicy: { runsPerItem: 3, passThreshold: 2 },
      maxPerRun: 4,
    });
  });

  it("promote: true applies the feature's thresholds to each item; the SDK's default policy and 10 per run otherwise", () => {
    expect(parse(registry("name: charters\npromote: true")).feature.promote).toEqual({
      suiteName: "charters",
      bounds: { output_format: { min: 0.9 } },
      assertions: [],
      executionPolicy: { runsPerItem: 1, passThreshold: 1 },
      maxPerRun: 10,
    });
  });

  it("is off without promote, or with promote: false", () => {
    expect(parse(registry("name: charters")).feature.promote).toBeUndefined();
    expect(parse(registry("promote: false")).feature.promote).toBeUndefined();
  });

  it("reports every problem at once, naming the key", () => {
    const problems = problemsOf(
      registry(`
promote: { output_format: { min: 0.5 }, made_up: { max: 1 }, levenshtein_ratio: { min: 0.2 } }
assertions: ["  "]
execution_policy: { runs_per_item: 2, pass_threshold: 3 }
max_per_run: 0`),
    );
    const key = `${FILE}: features.charter_optimization.test_suite`;
    expect(problems).toEqual(
      expect.arrayContaining([
        `${key}.assertions.0: an assertion must not be empty`,
        `${key}.execution_policy.pass_threshold: pass_threshold cannot exceed runs_per_item (runs_per_item defaults to 1)`,
        expect.stringMatching(new RegExp(`^${key.replaceAll(".", "\\.")}\\.max_per_run: `)),
      ]),
    );
    const semantic = problemsOf(registry("promote: { made_up: { max: 1 }, levenshtein_ratio: { min: 0.2 } }"));
    expect(semantic).toEqual([
      `${key}.promote.made_up: unknown metric`,
      `${key}.promote.levenshtein_ratio: not among the metrics this run evaluates (output_format, hallucination), so it could never flag an item`,
    ]);
  });

  it("refuses promote: true without thresholds, and settings only promotion reads when promote is off", () => {
    const key = `${FILE}: features.charter_optimization.test_suite`;
    expect(problemsOf(registry("promote: true", ""))).toEqual([
      `${key}.promote: true applies features.charter_optimization.thresholds to each item, but none is set for the metrics evaluated (output_format, hallucination); set thresholds or give bounds, e.g. promote: { output_format: { min: 0.5 } }`,
    ]);
    expect(problemsOf(registry("assertions: [Is JSON]\nmax_per_run: 3"))).toEqual([
      `${key}.assertions: only used by promote, which is not set (e.g. promote: true)`,
      `${key}.max_per_run: only used by promote, which is not set (e.g. promote: true)`,
    ]);
    expect(problemsOf(registry("promote: { output_format: { min: 0.9, max: 0.1 } }"))).toEqual([`${key}.promote.output_format: needs min no greater than max`]);
  });

  it("a pass_threshold alone is held to the default single run, as the server would refuse it", () => {
    expect(problemsOf(registry("promote: true\nexecution_policy: { pass_threshold: 2 }"))).toHaveLength(1);
    expect(parse(registry("promote: true\nexecution_policy: { runs_per_item: 4 }")).feature.promote?.executionPolicy).toEqual({
      runsPerItem: 4,
      passThreshold: 1,
    });
  });
});
