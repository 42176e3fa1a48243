import { describe, expect, it } from "vitest";
import { parseRegistry } from "../../src/config/feature-registry.js";
import { parseConfig, type RegistrySource } from "../../src/config/parse-config.js";
import { ConfigError } from "../../src/errors.js";

const FILE = ".github/opik-evaluate.yml";

/** A registry with one feature `qa`, extra YAML indented under it. */
function registry(featureYaml: string): string {
  const extra = featureYaml
    .trim()
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
  return `project: p\nfeatures:\n  qa:\n    span_name: answer_question\n    dataset_prefix: qa\n${extra}\n`;
}

function problemsOf(featureYaml: string): string[] {
  return parseRegistry(FILE, registry(featureYaml)).problems;
}

const FULL = `
metrics: [regex_match, contains, exact_match, levenshtein_ratio, g_eval, performance, agent_trajectory, correctness]
metric_settings:
  regex_match: { pattern: "^(yes|no)$", flags: i }
  contains: { substring: Paris, case_sensitive: true }
  exact_match: { field: expected_output.answer }
  levenshtein_ratio: {}
  g_eval: { task_introduction: You grade answers., evaluation_criteria: 0 to 10 for correctness. }
  performance: { max_duration_ms: 5000, max_tokens: 4000, max_cost_usd: 0.01 }
  agent_trajectory: { max_depth: 4 }
judges:
  correctness:
    prompt: "Question: {{input}}\\nReference: {{expected}}\\nAnswer: {{output}}"
    rails: { correct: 1, incorrect: 0 }
    explanation: true
    direction: higher-is-better
task: { prompt_file: prompts/qa.mustache }
`;

describe("feature registry: metric_settings, judges, task", () => {
  it("accepts every setting and a custom judge", () => {
    const { registry: parsed, problems } = parseRegistry(FILE, registry(FULL));
    expect(problems).toEqual([]);
    const feature = parsed?.features.qa;
    expect(feature?.metric_settings?.regex_match).toEqual({ pattern: "^(yes|no)$", flags: "i" });
    expect(feature?.judges?.correctness?.rails).toEqual({ correct: 1, incorrect: 0 });
    expect(feature?.task).toEqual({ prompt_file: "prompts/qa.mustache" });
  });

  it("requires the settings of the metrics the feature lists, naming file and key path", () => {
    expect(problemsOf("metrics: [regex_match, g_eval, performance, exact_match]")).toEqual([
      `${FILE}: features.qa.metric_settings.regex_match: required because features.qa.metrics includes regex_match (e.g. regex_match: { pattern: "^\\\\{" })`,
      `${FILE}: features.qa.metric_settings.g_eval: required because features.qa.metrics includes g_eval (e.g. g_eval: { task_introduction: "...", evaluation_criteria: "..." })`,
      `${FILE}: features.qa.metric_settings.performance: required because features.qa.metrics includes performance (e.g. performance: { max_duration_ms: 5000, max_tokens: 4000, max_cost_usd: 0.01 })`,
    ]);
  });

  it("rejects an output_format json_schema keyword that would be ignored, naming the file, the feature and the keyword", () => {
    expect(problemsOf("output_format: { json_schema: { type: object, properties: { verdict: { oneof: [{ const: valid }] } } } }")).toEqual([
      `${FILE}: features.qa.output_format: json_schema: unknown keyword: "oneof" (only JSON Schema keywords and formats are checked; remove or correct it)`,
    ]);
  });

  it("rejects incomplete or invalid settings", () => {
    const problems = problemsOf(`
metric_settings:
  regex_match: { pattern: "([a-z" }
  contains: { case_sensitive: true }
  g_eval: { task_introduction: "You grade answers." }
  performance: {}
  exact_match: { field: "expected_output..answer" }
  agent_trajectory: { max_depth: 0 }
  bleu: {}
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\.github\/opik-evaluate\.yml: features\.qa\.metric_settings\.regex_match\.pattern: not a valid regular expression: /),
        `${FILE}: features.qa.metric_settings.contains.substring: Invalid input: expected string, received undefined`,
        `${FILE}: features.qa.metric_settings.g_eval.evaluation_criteria: Invalid input: expected string, received undefined`,
        `${FILE}: features.qa.metric_settings.performance: needs at least one budget: max_duration_ms, max_tokens or max_cost_usd`,
        `${FILE}: features.qa.metric_settings.exact_match.field: a dotted path into the item's data, e.g. expected_output.answer`,
        expect.stringMatching(/^\.github\/opik-evaluate\.yml: features\.qa\.metric_settings\.agent_trajectory\.max_depth: /),
        expect.stringMatching(/^\.github\/opik-evaluate\.yml: features\.qa\.metric_settings: Unrecognized key: "bleu"/),
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  it("rejects custom judges that cannot work", () => {
    const problems = problemsOf(`
judges:
  one_label: { prompt: "{{output}}", rails: { yes: 1 } }
  blind: { prompt: "Is {{input}} fine?", rails: { yes: 1, no: 0 } }
  broken: { prompt: "{{output", rails: { yes: 1, no: 0 } }
  twins: { prompt: "{{output}}", rails: { Yes: 1, "yes.": 0 } }
  hallucination: { prompt: "{{output}}", rails: { yes: 1, no: 0 } }
  "bad name": { prompt: "{{output}}", rails: { yes: 1, no: 0 } }
  sideways: { prompt: "{{output}}", rails: { yes: 1, no: 0 }, direction: up }
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        `${FILE}: features.qa.judges.one_label.rails: needs at least two labels, each with its score (got 1), e.g. { correct: 1, incorrect: 0 }`,
        `${FILE}: features.qa.judges.blind.prompt: never uses {{output}}, so the judge would not see what it scores`,
        expect.stringMatching(/^\.github\/opik-evaluate\.yml: features\.qa\.judges\.broken\.prompt: not a valid mustache template: Unclosed tag/),
        `${FILE}: features.qa.judges.twins.rails: labels "Yes" and "yes." read the same (labels match case-insensitively, ignoring surrounding punctuation)`,
        `${FILE}: features.qa.judges.hallucination: is a built-in metric; give the custom judge another name`,
        `${FILE}: features.qa.judges.bad name: letters, digits, '.', '_' or '-' only`,
        expect.stringMatching(/^\.github\/opik-evaluate\.yml: features\.qa\.judges\.sideways\.direction: /),
      ]),
    );
  });

  it("checks the shape of task", () => {
    expect(problemsOf("task: { prompt_file: '', model: x }")).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/features\.qa\.task: Unrecognized key: "model"/),
        expect.stringMatching(/features\.qa\.task\.prompt_file: /),
      ]),
    );
  });
});

describe("parseConfig: metric names, settings and the judge", () => {
  const NOW = new Date("2026-02-04T14:30:52Z");
  const source = (featureYaml: string): RegistrySource => ({ path: FILE, text: registry(`experiment_prefix: qa\n${featureYaml}`) });
  const inputs = (extra: Record<string, string>) => ({ "experiment-type": "qa", "task-provider": "replay", "opik-url": "http://127.0.0.1:5173/api", ...extra });

  function problemsOf(fn: () => unknown): readonly string[] {
    try {
      fn();
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    throw new Error("expected a ConfigError");
  }

  it("lists the valid names, the feature's custom judges among them, for an unknown metric", () => {
    const problems = problemsOf(() => parseConfig(inputs({ metrics: "is_json, bleu" }), source(FULL), NOW));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^metrics: unknown metric "bleu" \(valid: hallucination, moderation, .*, agent_trajectory, correctness\)$/);
  });

  it("accepts a custom judge name and requires a judge provider for it", () => {
    const problems = problemsOf(() => parseConfig(inputs({ metrics: "correctness" }), source(FULL), NOW));
    expect(problems).toEqual([
      "judge-provider: required because metrics include correctness (LLM judges) and task-provider replay calls no model (expected gemini, openai or ollama)",
    ]);

    const config = parseConfig(inputs({ metrics: "correctness, is_json", "judge-provider": "openai", "openai-api-key": "sk-x" }), source(FULL), NOW);
    expect(config.metrics).toEqual(["correctness", "is_json"]);
    expect(config.judge).toMatchObject({ provider: "openai" });
    expect(config.feature.judges?.correctness).toMatchObject({ rails: { correct: 1, incorrect: 0 }, explanation: true });
    expect(config.feature.metricSettings?.contains).toEqual({ substring: "Paris", case_sensitive: true });
  });

  it("needs no judge for heuristics and span metrics", () => {
    const config = parseConfig(inputs({ metrics: "is_json, execution_quality, error_analysis" }), source(""), NOW);
    expect(config.judge).toBeUndefined();
    expect(config.feature.metricSettings).toBeUndefined();
    expect(config.feature.judges).toBeUndefined();
  });

  it("rejects a metric from the input whose settings the feature lacks, before any work", () => {
    expect(problemsOf(() => parseConfig(inputs({ metrics: "regex_match, contains" }), source(""), NOW))).toEqual([
      `metrics: regex_match needs features.qa.metric_settings.regex_match in ${FILE}, e.g. regex_match: { pattern: "^\\\\{" }`,
      `metrics: contains needs features.qa.metric_settings.contains in ${FILE}, e.g. contains: { substring: "verdict" }`,
    ]);
  });

  it("accepts thresholds on custom judges", () => {
    const config = parseConfig(
      inputs({ "judge-provider": "openai", "openai-api-key": "sk-x" }),
      source(`${FULL}\nthresholds: { correctness: { min: 0.8 } }`),
      NOW,
    );
    expect(config.feature.thresholds).toEqual({ correctness: { min: 0.8 } });
  });
});
