import { describe, expect, it } from "vitest";
import { DEFAULT_FAIL_ON } from "../../src/gate/defaults.js";
import { GATE_INPUT_DEFAULTS } from "../../src/constants.js";
import { parseBaselineMode, parseFailOn, parseGateInputs, parseMaxRegression } from "../../src/gate/parse-gate-inputs.js";

describe("parseMaxRegression", () => {
  it.each([
    ["", { perMetric: {} }],
    ["0.05", { default: 0.05, perMetric: {} }],
    ["hallucination=0.05, output_format=0.1", { perMetric: { hallucination: 0.05, output_format: 0.1 } }],
    ["0.02\nhallucination=0.05", { default: 0.02, perMetric: { hallucination: 0.05 } }],
  ])("reads %j", (text, maxRegression) => {
    expect(parseMaxRegression(text)).toEqual({ maxRegression, problems: [] });
  });

  it.each(["-0.1", "hallucination=lots", "hallucination<=0.1", "0.1, 0.2"])("rejects %j with the expected form", (text) => {
    const { problems } = parseMaxRegression(text);
    expect(problems[0]).toMatch(/^max-regression: /);
  });
});

describe("parseFailOn", () => {
  it("defaults to threshold, regression and error failures", () => {
    expect(parseFailOn("")).toEqual({ failOn: [...DEFAULT_FAIL_ON], problems: [] });
    expect(GATE_INPUT_DEFAULTS["fail-on"]).toBe("fail-threshold, fail-regression, error");
  });

  it("reads a list, and none for report-only runs", () => {
    expect(parseFailOn("error\ninsufficient-data, Skipped").failOn).toEqual(["error", "insufficient-data", "skipped"]);
    expect(parseFailOn("none")).toEqual({ failOn: [], problems: [] });
  });

  it("rejects pass and unknown states", () => {
    expect(parseFailOn("pass, regression").problems).toEqual([
      'fail-on: unknown state "pass" (expected a list of error, fail-threshold, fail-regression, insufficient-data, skipped, or none)',
      'fail-on: unknown state "regression" (expected a list of error, fail-threshold, fail-regression, insufficient-data, skipped, or none)',
    ]);
  });
});

describe("parseGateInputs", () => {
  it("fills the defaults", () => {
    expect(parseGateInputs({})).toEqual({
      settings: { thresholds: {}, maxRegression: { perMetric: {} }, minItems: 10, maxErrorRate: 0.1, failOn: [...DEFAULT_FAIL_ON], baseline: "auto" },
      problems: [],
    });
  });

  it("merges the config's thresholds under the input's", () => {
    const { settings } = parseGateInputs({ thresholds: "hallucination<=0.3" }, { hallucination: { max: 0.1 }, output_format: { min: 0.9 } });
    expect(settings.thresholds).toEqual({ hallucination: { max: 0.3 }, output_format: { min: 0.9 } });
  });

  it("lists every bad input at once, each by name", () => {
    const { problems } = parseGateInputs({
      thresholds: "hallucination<0.2",
      "max-regression": "-1",
      "min-items": "2.5",
      "max-error-rate": "10%",
      "fail-on": "sometimes",
    });
    expect(problems.map((p) => p.split(":")[0])).toEqual(["thresholds", "max-regression", "fail-on", "min-items", "max-error-rate"]);
    expect(problems).toContain('min-items: expected a whole number from 1 to 100000 (got "2.5")');
    expect(problems).toContain('max-error-rate: expected a share from 0 to 1, e.g. 0.1 for 10% (got "10%")');
  });

  it("reads the baseline mode", () => {
    expect(parseBaselineMode("")).toBe("auto");
    expect(parseBaselineMode("NONE")).toBe("none");
    expect(parseBaselineMode(" charter-eval-20260201-000000 ")).toBe("charter-eval-20260201-000000");
  });
});
