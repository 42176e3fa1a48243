import { describe, expect, it } from "vitest";
import { parseConfig, type RegistrySource } from "../../src/config/parse-config.js";
import { ConfigError } from "../../src/errors.js";

const NOW = new Date("2026-02-04T14:30:52Z");

const REGISTRY = `
project: charter-project
features:
  charter_optimization:
    span_name: charter_validation
    dataset_prefix: charter-optimization
    experiment_prefix: charter_validation
    metrics: [output_format]
    output_format:
      json_schema: { type: object, required: [verdict], properties: { verdict: { type: string } } }
    thresholds:
      output_format: { min: 0.9 }
`;

const registry = (text = REGISTRY): RegistrySource => ({ path: ".github/opik-evaluate.yml", text });
const missing: RegistrySource = { path: ".github/opik-evaluate.yml", missing: true, explicit: false };

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  it("applies the seed's defaults and the registry's feature", () => {
    const config = parseConfig({ "task-provider": "replay", "opik-url": "http://127.0.0.1:5173/api" }, registry(), NOW);
    expect(config).toMatchObject({
      dateString: "20260204",
      experimentType: "charter_optimization",
      maxItems: 50,
      lookbackHours: 24,
      metrics: ["output_format"],
      taskProvider: "replay",
      skipIfEmpty: true,
      cleanupErrors: true,
      opik: { project: "charter-project", url: "http://127.0.0.1:5173/api", timeoutSeconds: 60 },
      feature: {
        spanName: "charter_validation",
        datasetPrefix: "charter-optimization",
        experimentPrefix: "charter_validation",
        thresholds: { output_format: { min: 0.9 } },
      },
    });
    expect(config.window).toEqual({ start: new Date("2026-02-03T14:30:52Z"), end: NOW });
    expect(config.task).toBeUndefined();
    expect(config.judge).toBeUndefined();
  });

  it("ends the window at the end of a past date-string", () => {
    const config = parseConfig({ "task-provider": "replay", "date-string": "20260201", "lookback-hours": "6", "opik-url": "http://h/api" }, registry(), NOW);
    expect(config.window).toEqual({ start: new Date("2026-02-01T18:00:00Z"), end: new Date("2026-02-02T00:00:00Z") });
  });

  it("runs from span-name and dataset-prefix without a config file", () => {
    const config = parseConfig(
      {
        "task-provider": "replay",
        "span-name": "chat",
        "dataset-prefix": "chat-ds",
        "opik-project": "p",
        metrics: "output_format",
        "opik-url": "http://h/api",
      },
      missing,
      NOW,
    );
    expect(config.feature).toMatchObject({ spanName: "chat", datasetPrefix: "chat-ds", experimentPrefix: "charter_optimization" });
    expect(config.metrics).toEqual(["output_format"]);
  });

  it("reads metrics as a comma or newline list, overriding the feature", () => {
    const config = parseConfig(
      { "task-provider": "openai", "openai-api-key": "sk-x", metrics: "hallucination,\n output_format", "opik-url": "http://h/api" },
      registry(),
      NOW,
    );
    expect(config.metrics).toEqual(["hallucination", "output_format"]);
    expect(config.judge).toMatchObject({ provider: "openai", model: "gpt-4o-mini", apiKey: "sk-x" });
    expect(config.task).toBe(config.judge);
  });

  it("reports every bad input at once, naming each and its expected form", () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          "date-string": "2026-02-04",
          "max-items": "lots",
          "lookback-hours": "0",
          "task-provider": "claude",
          "skip-if-empty": "yes",
          "opik-url": "not a url",
          metrics: "hallucination, bleu",
          concurrency: "1000",
        },
        registry(),
        NOW,
      ),
    );
    const text = problems.join("\n");
    for (const input of ["date-string", "max-items", "lookback-hours", "task-provider", "skip-if-empty", "opik-url", "metrics", "concurrency"]) {
      expect(text).toContain(`${input}:`);
    }
    expect(text).toContain('unknown metric "bleu"');
    expect(text).toContain("YYYYMMDD");
  });

  it("requires the chosen provider's key and a judge for judge metrics", () => {
    expect(problemsOf(() => parseConfig({ "task-provider": "gemini", "opik-url": "http://h/api" }, registry(), NOW))).toEqual([
      "google-api-key: required because task-provider is gemini; set it from a secret",
    ]);
    const replay = problemsOf(() => parseConfig({ "task-provider": "replay", metrics: "hallucination", "opik-url": "http://h/api" }, registry(), NOW));
    expect(replay.join()).toContain("judge-provider: required because metrics include hallucination");
    const judge = problemsOf(() =>
      parseConfig({ "task-provider": "replay", metrics: "hallucination", "judge-provider": "openai", "opik-url": "http://h/api" }, registry(), NOW),
    );
    expect(judge).toEqual(["openai-api-key: required because the judge provider is openai; set it from a secret"]);
  });

  it("requires a key and workspace for Opik Cloud", () => {
    const problems = problemsOf(() => parseConfig({ "task-provider": "replay" }, registry(), NOW));
    expect(problems.join("\n")).toMatch(/opik-api-key: required for Opik Cloud[\s\S]*opik-workspace: required for Opik Cloud/);
  });

  it("reads opik-timeout-seconds as a positive number of seconds", () => {
    expect(parseConfig({ "task-provider": "replay", "opik-url": "http://h/api", "opik-timeout-seconds": "2.5" }, registry(), NOW).opik.timeoutSeconds).toBe(
      2.5,
    );
    for (const bad of ["0", "-1", "soon", "1e3"]) {
      expect(problemsOf(() => parseConfig({ "task-provider": "replay", "opik-url": "http://h/api", "opik-timeout-seconds": bad }, registry(), NOW))).toEqual([
        `opik-timeout-seconds: expected a positive number of seconds, e.g. 60 (got "${bad}")`,
      ]);
    }
  });

  it("rejects a future date and an impossible one", () => {
    expect(problemsOf(() => parseConfig({ "task-provider": "replay", "date-string": "20260205", "opik-url": "http://h/api" }, registry(), NOW))[0]).toContain(
      "is in the future",
    );
    expect(problemsOf(() => parseConfig({ "task-provider": "replay", "date-string": "20260231", "opik-url": "http://h/api" }, registry(), NOW))[0]).toContain(
      "not a calendar date",
    );
  });

  it("names the file and key path of registry mistakes", () => {
    const bad = `
features:
  charter_optimization:
    span_name: 12
    dataset_prefix: "has space"
    colour: blue
    thresholds:
      output_format: {}
`;
    const problems = problemsOf(() => parseConfig({ "task-provider": "replay", "opik-project": "p", "opik-url": "http://h/api" }, registry(bad), NOW));
    const text = problems.join("\n");
    expect(text).toContain(".github/opik-evaluate.yml: features.charter_optimization.span_name:");
    expect(text).toContain(".github/opik-evaluate.yml: features.charter_optimization.dataset_prefix:");
    expect(text).toContain("colour");
    expect(text).toContain("features.charter_optimization.thresholds.output_format: needs min or max");
  });

  it("reports an unknown experiment type with the known ones", () => {
    const problems = problemsOf(() =>
      parseConfig({ "task-provider": "replay", metrics: "output_format", "experiment-type": "nope", "opik-url": "http://h/api" }, registry(), NOW),
    );
    expect(problems).toEqual(['experiment-type: "nope" is not a feature of .github/opik-evaluate.yml (known: charter_optimization)']);
  });

  it("rejects a config path the user named that does not exist", () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          "task-provider": "replay",
          metrics: "output_format",
          config: "evals.yml",
          "span-name": "a",
          "dataset-prefix": "b",
          "opik-project": "p",
          "opik-url": "http://h/api",
        },
        { path: "evals.yml", missing: true, explicit: true },
        NOW,
      ),
    );
    expect(problems).toEqual(["config: file evals.yml not found (expected a YAML or JSON feature registry in the repository)"]);
  });

  it("reports invalid YAML with the file name", () => {
    const problems = problemsOf(() => parseConfig({ "task-provider": "replay", "opik-url": "http://h/api" }, registry("features: [unclosed"), NOW));
    expect(problems[0]).toMatch(/^\.github\/opik-evaluate\.yml: not valid YAML or JSON/);
  });
});

describe("parseConfig: sampling, filter and budget", () => {
  it("parses the filter with Opik's query language and the other knobs", () => {
    const config = parseConfig(
      {
        "task-provider": "replay",
        "opik-url": "http://h/api",
        filter: 'model = "gpt-4o-mini" AND usage.total_tokens > 100',
        "sampling-rate": "0.25",
        "max-cost-usd": "2.50",
      },
      registry(),
      NOW,
    );
    expect(config.spanFilter).toEqual([
      { field: "model", operator: "=", value: "gpt-4o-mini" },
      { field: "usage.total_tokens", operator: ">", value: "100" },
    ]);
    expect(config.samplingRate).toBe(0.25);
    expect(config.maxCostUsd).toBe(2.5);
  });

  it("reports a bad filter, rate and budget together", () => {
    const problems = problemsOf(() =>
      parseConfig(
        { "task-provider": "replay", "opik-url": "http://h/api", filter: 'model = "a" OR model = "b"', "sampling-rate": "1.5", "max-cost-usd": "lots" },
        registry(),
        NOW,
      ),
    );
    expect(problems.map((p) => p.split(":")[0])).toEqual(["max-cost-usd", "sampling-rate", "filter"]);
  });
});

describe("parseConfig: only real problems", () => {
  const BAD_KEY = `
project: charter-project
features:
  charter_optimization:
    span_name: charter_validation
    dataset_prefix: charter-optimization
    metrics: [output_format, tone]
    colour: blue
    judges:
      tone: { prompt: "Is {{output}} polite?", rails: { polite: 1, rude: 0 } }
`;

  it("reports a bad key in an existing file without the follow-ons its absence would cause", () => {
    const problems = problemsOf(() =>
      parseConfig(
        { "task-provider": "replay", "judge-provider": "openai", "openai-api-key": "k", metrics: "tone", "opik-url": "http://h/api" },
        registry(BAD_KEY),
        NOW,
      ),
    );
    expect(problems).toEqual(['.github/opik-evaluate.yml: features.charter_optimization: Unrecognized key: "colour"']);
  });

  it("reports an unreadable file alone, and keeps the input problems that do not depend on it", () => {
    const unreadable: RegistrySource = {
      path: ".github/opik-evaluate.yml",
      problem: "config: .github/opik-evaluate.yml: not valid UTF-8: byte 0xff at offset 12 (line 2); save the file as UTF-8",
    };
    const problems = problemsOf(() => parseConfig({ "task-provider": "replay", "max-items": "many", "opik-url": "http://h/api" }, unreadable, NOW));
    expect(problems).toEqual(['max-items: expected a whole number from 1 to 10000 (got "many")', unreadable.problem]);
  });

  it("still requires span-name and dataset-prefix when there is no file at all", () => {
    const problems = problemsOf(() =>
      parseConfig({ "task-provider": "replay", "opik-project": "p", metrics: "output_format", "opik-url": "http://h/api" }, missing, NOW),
    );
    expect(problems).toEqual(["span-name and dataset-prefix: required when there is no config file (.github/opik-evaluate.yml not found)"]);
  });

  it("rejects a result-file whose directory does not exist, naming the input", () => {
    const problems = problemsOf(() =>
      parseConfig({ "task-provider": "replay", "result-file": "out/r.json", "opik-url": "http://h/api" }, registry(), NOW, undefined, {
        resultFileProblem: "directory /w/out does not exist",
      }),
    );
    expect(problems).toEqual(["result-file: directory /w/out does not exist (expected a path in an existing directory, e.g. opik-result.json)"]);
  });
});
