import { findMetric } from "../metrics/metric-catalog.js";
import type { Threshold, ThresholdMap } from "./types.js";

const INPUT = "thresholds";
const EXPECTED = "expected entries like hallucination<=0.2, output_format>=0.9 (or name=value, which takes the metric's direction)";
const ENTRY = /^([A-Za-z0-9._-]+)\s*(<=|>=|=<|=>|<|>|==|=)\s*(\S+)$/;

export function splitEntries(text: string): string[] {
  return text
    .split(/[\n,;]/)
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/**
 * Parses the `thresholds` input, e.g. `hallucination<=0.2, output_format>=0.9`.
 * `<=` bounds the mean from above, `>=` from below; `name=value` takes the
 * bound from the metric's direction (a max for lower-is-better), so a bound
 * against the direction is allowed but has to be written out.
 */
export function parseThresholds(text: string): { thresholds: ThresholdMap; problems: string[] } {
  const thresholds: ThresholdMap = {};
  const problems: string[] = [];
  for (const entry of splitEntries(text)) {
    const match = ENTRY.exec(entry);
    if (!match) {
      problems.push(`${INPUT}: cannot read "${entry}" (${EXPECTED})`);
      continue;
    }
    const [, name = "", operator = "", rawValue = ""] = match;
    const value = Number(rawValue);
    if (rawValue === "" || !Number.isFinite(value)) {
      problems.push(`${INPUT}: "${entry}" needs a number after ${operator} (${EXPECTED})`);
      continue;
    }
    const bound = boundOf(name, operator);
    if ("problem" in bound) {
      problems.push(`${INPUT}: "${entry}": ${bound.problem}`);
      continue;
    }
    const threshold: Threshold = (thresholds[name] ??= {});
    const key = bound.bound;
    if (threshold[key] !== undefined) {
      problems.push(`${INPUT}: ${name} has two ${key === "min" ? "minimums (>=)" : "maximums (<=)"}; give one`);
      continue;
    }
    threshold[key] = value;
    if (threshold.min !== undefined && threshold.max !== undefined && threshold.min > threshold.max) {
      problems.push(`${INPUT}: ${name} needs a minimum (${threshold.min}) no greater than its maximum (${threshold.max})`);
    }
  }
  return { thresholds, problems };
}

/** Which bound the operator sets, or why it cannot be used. */
function boundOf(name: string, operator: string): { bound: keyof Threshold } | { problem: string } {
  if (operator === "<=" || operator === "=<") return { bound: "max" };
  if (operator === ">=" || operator === "=>") return { bound: "min" };
  if (operator === "<" || operator === ">") return { problem: `strict ${operator} is not supported; use ${operator}= (bounds are inclusive)` };
  const metric = findMetric(name);
  if (!metric) return { problem: `${name} is not in the metric catalog, so its direction is unknown; write ${name}<=value or ${name}>=value` };
  return { bound: metric.direction === "lower-is-better" ? "max" : "min" };
}

/**
 * The feature config's thresholds overridden by the input's: a metric the
 * input names takes the input's bounds only, so a workflow can loosen a
 * config bound as well as tighten it.
 */
export function mergeThresholds(fromConfig: ThresholdMap, fromInput: ThresholdMap): ThresholdMap {
  const merged: ThresholdMap = {};
  for (const [name, threshold] of Object.entries(fromConfig)) merged[name] = { ...threshold };
  for (const [name, threshold] of Object.entries(fromInput)) merged[name] = { ...threshold };
  return merged;
}
