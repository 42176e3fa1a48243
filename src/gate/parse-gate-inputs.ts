import { GATE_INPUT_DEFAULTS, type GateInputName } from "../constants.js";
import { DEFAULT_FAIL_ON, FAIL_ON_STATES } from "./defaults.js";
import { mergeThresholds, parseThresholds, splitEntries } from "./parse-thresholds.js";
import type { BaselineMode, FailOnState, GateSettings, MaxRegression, ThresholdMap } from "./types.js";

const MAX_REGRESSION_EXPECTED = "expected a number for every metric, e.g. 0.05, or per metric, e.g. hallucination=0.05, output_format=0.1";

/** `0.05` for every metric, `hallucination=0.05, output_format=0.1` per metric, or both (the bare number is the default). */
export function parseMaxRegression(text: string): { maxRegression: MaxRegression; problems: string[] } {
  const maxRegression: MaxRegression = { perMetric: {} };
  const problems: string[] = [];
  for (const entry of splitEntries(text)) {
    const match = /^(?:([A-Za-z0-9._-]+)\s*=\s*)?(\S+)$/.exec(entry);
    const value = Number(match?.[2]);
    if (!match || !Number.isFinite(value) || value < 0) {
      problems.push(`max-regression: cannot read "${entry}" (${MAX_REGRESSION_EXPECTED}; numbers are 0 or more, in the metric's units)`);
      continue;
    }
    const name = match[1];
    if (name === undefined) {
      if (maxRegression.default !== undefined)
        problems.push(`max-regression: two values for every metric ("${maxRegression.default}" and "${entry}"); give one`);
      maxRegression.default = value;
    } else {
      if (name in maxRegression.perMetric) problems.push(`max-regression: ${name} is given twice; give it once`);
      maxRegression.perMetric[name] = value;
    }
  }
  return { maxRegression, problems };
}

/** A list of states from fail-on; `none` reports without ever failing the step. */
export function parseFailOn(text: string): { failOn: FailOnState[]; problems: string[] } {
  const entries = splitEntries(text.toLowerCase());
  if (!entries.length) return { failOn: [...DEFAULT_FAIL_ON], problems: [] };
  if (entries.length === 1 && entries[0] === "none") return { failOn: [], problems: [] };
  const failOn: FailOnState[] = [];
  const problems: string[] = [];
  for (const entry of entries) {
    const state = FAIL_ON_STATES.find((s) => s === entry);
    if (state) {
      if (!failOn.includes(state)) failOn.push(state);
    } else {
      problems.push(`fail-on: unknown state "${entry}" (expected a list of ${FAIL_ON_STATES.join(", ")}, or none)`);
    }
  }
  return { failOn, problems };
}

export function parseBaselineMode(text: string): BaselineMode {
  const trimmed = text.trim();
  const lower = trimmed.toLowerCase();
  if (!trimmed || lower === "auto") return "auto";
  if (lower === "none") return "none";
  return trimmed;
}

function parseNumber(name: GateInputName, text: string, check: (n: number) => boolean, expected: string, problems: string[]): number | undefined {
  const value = text.trim() === "" ? Number.NaN : Number(text);
  if (Number.isFinite(value) && check(value)) return value;
  problems.push(`${name}: ${expected} (got "${text}")`);
  return undefined;
}

/**
 * All of the gate's inputs at once, every problem named by its input, so one
 * failed run lists everything to fix. Config thresholds (the feature
 * registry's) are overridden per metric by the thresholds input.
 */
export function parseGateInputs(
  raw: Partial<Record<GateInputName, string>>,
  configThresholds: ThresholdMap = {},
): { settings: GateSettings; problems: string[] } {
  const value = (name: GateInputName): string => (raw[name] ?? "").trim() || GATE_INPUT_DEFAULTS[name];
  const problems: string[] = [];
  const thresholds = parseThresholds(value("thresholds"));
  const maxRegression = parseMaxRegression(value("max-regression"));
  const failOn = parseFailOn(value("fail-on"));
  problems.push(...thresholds.problems, ...maxRegression.problems, ...failOn.problems);
  const minItems = parseNumber(
    "min-items",
    value("min-items"),
    (n) => Number.isInteger(n) && n >= 1 && n <= 100_000,
    "expected a whole number from 1 to 100000",
    problems,
  );
  const maxErrorRate = parseNumber(
    "max-error-rate",
    value("max-error-rate"),
    (n) => n >= 0 && n <= 1,
    "expected a share from 0 to 1, e.g. 0.1 for 10%",
    problems,
  );
  return {
    settings: {
      thresholds: mergeThresholds(configThresholds, thresholds.thresholds),
      maxRegression: maxRegression.maxRegression,
      minItems: minItems ?? Number(GATE_INPUT_DEFAULTS["min-items"]),
      maxErrorRate: maxErrorRate ?? Number(GATE_INPUT_DEFAULTS["max-error-rate"]),
      failOn: failOn.failOn,
      baseline: parseBaselineMode(value("baseline")),
    },
    problems,
  };
}
