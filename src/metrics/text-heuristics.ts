/**
 * Pure checks of the output text: is_json, regex_match, contains. Each scores
 * 1 or 0; the reason says what was found.
 */
import { errorMessage } from "../errors.js";
import type { Metric } from "../types.js";
import { localMetric, preview, unscorableMetric, type LocalScore } from "./metric-result.js";
import type { MetricSettings } from "./metric-settings.js";

/** 1 when the whole trimmed output is one JSON object or array; a JSON string or number is not structured output. */
export function scoreIsJson(output: string): LocalScore {
  const trimmed = output.trim();
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (error) {
    return { value: 0, reason: `The output is not JSON (${errorMessage(error)})` };
  }
  if (Array.isArray(value)) return { value: 1, reason: "The output is a JSON array" };
  if (typeof value === "object" && value !== null) return { value: 1, reason: "The output is a JSON object" };
  return { value: 0, reason: `The output is JSON ${value === null ? "null" : `of type ${typeof value}`}, not an object or array` };
}

/** 1 when the pattern matches anywhere in the output (like RegExp.test). */
export function scoreRegexMatch(output: string, settings: NonNullable<MetricSettings["regex_match"]>): LocalScore {
  const shown = `/${settings.pattern}/${settings.flags ?? ""}`;
  // A global or sticky flag would make test() depend on where the last match ended.
  const flags = (settings.flags ?? "").replace(/[gy]/g, "");
  const match = new RegExp(settings.pattern, flags).exec(output);
  return match ? { value: 1, reason: `The output matches ${shown}: ${preview(match[0], 60)}` } : { value: 0, reason: `The output does not match ${shown}` };
}

export function scoreContains(output: string, settings: NonNullable<MetricSettings["contains"]>): LocalScore {
  const caseSensitive = settings.case_sensitive ?? false;
  const found = caseSensitive ? output.includes(settings.substring) : output.toLowerCase().includes(settings.substring.toLowerCase());
  const how = caseSensitive ? "" : " (ignoring case)";
  return { value: found ? 1 : 0, reason: `The output ${found ? "contains" : "does not contain"} ${preview(settings.substring, 60)}${how}` };
}

/** Problems with a regex_match setting, so a bad pattern is rejected while parsing the config. */
export function regexProblem(pattern: string, flags = ""): string | undefined {
  try {
    new RegExp(pattern, flags);
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}

export function createIsJsonMetric(): Metric {
  return localMetric("is_json", (input) => scoreIsJson(input.output));
}

export function createRegexMatchMetric(settings: MetricSettings["regex_match"]): Metric {
  if (!settings) return unscorableMetric("regex_match", missingSettingError("regex_match", "pattern"));
  return localMetric("regex_match", (input) => scoreRegexMatch(input.output, settings));
}

export function createContainsMetric(settings: MetricSettings["contains"]): Metric {
  if (!settings) return unscorableMetric("contains", missingSettingError("contains", "substring"));
  return localMetric("contains", (input) => scoreContains(input.output, settings));
}

export function missingSettingError(metric: keyof MetricSettings, field: string): string {
  return `${metric} has nothing to check against: set metric_settings.${metric}.${field} in the feature config`;
}
