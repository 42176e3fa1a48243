import { describe, expect, it } from "vitest";
import { parseConfig, type RegistrySource } from "../../src/config/parse-config.js";
import { ConfigError } from "../../src/errors.js";

const NOW = new Date("2026-02-04T14:30:52Z");
const BASE = { "task-provider": "replay", "opik-url": "http://127.0.0.1:5173/api", "opik-project": "charters" };

const registry = (extra = ""): RegistrySource => ({
  path: ".github/opik-evaluate.yml",
  text: `
features:
  charter_optimization:
    span_name: charter_validation
    dataset_prefix: charter-optimization
    metrics: [output_format, is_json]
${extra}`,
});

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("repeats, judge noise and the primary metric", () => {
  it("defaults to one run per item, no judge-noise sample and no primary metric", () => {
    const config = parseConfig(BASE, registry(), NOW);
    expect(config.repeats).toBe(1);
    expect(config.judgeNoise).toBeUndefined();
    expect(config.run.gate.primaryMetrics).toBeUndefined();
  });

  it("reads repeats, judge-noise-sample with judge-repeats, and primary_metric", () => {
    const config = parseConfig({ ...BASE, repeats: "3", "judge-noise-sample": "10", "judge-repeats": "5" }, registry("    primary_metric: is_json"), NOW);
    expect(config.repeats).toBe(3);
    expect(config.judgeNoise).toEqual({ sample: 10, judgments: 5 });
    expect(config.run.gate.primaryMetrics).toEqual(["is_json"]);
  });

  it("names every bad value at once, with the form expected", () => {
    const problems = problemsOf(() =>
      parseConfig({ ...BASE, repeats: "0", "judge-noise-sample": "some", "judge-repeats": "1" }, registry("    primary_metric: hallucination"), NOW),
    ).join("\n");
    expect(problems).toMatch(/^repeats: .*1.*20/m);
    expect(problems).toMatch(/^judge-noise-sample: /m);
    expect(problems).toMatch(/^judge-repeats: .*2.*20/m);
    expect(problems).toContain(
      ".github/opik-evaluate.yml: features.charter_optimization.primary_metric: hallucination is not one of the metrics this run scores (output_format, is_json)",
    );
  });
});
