import { EVALUATION_TRACE_NAME } from "../constants.js";
import { boundedJson } from "../metrics/bounded-json.js";
import { ERROR_PATTERNS, type ErrorPattern } from "../run-result.js";
import type { TraceRecord } from "../types.js";

/** Output keys that, when set to something non-empty, mean the traced call failed. */
const ERROR_FIELDS = new Set(["error", "error_message", "exception"]);

function isNonEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (typeof value === "string") return value.trim().length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

function textOf(value: unknown): string {
  return typeof value === "string" ? value : boundedJson(value);
}

/**
 * The error text of a trace, or undefined when it is not an error trace. Only
 * `error_info` or an explicit error field counts: prose that merely mentions
 * "failed" or an `"error": null` key does not.
 */
export function errorTextOf(trace: Pick<TraceRecord, "errorInfo" | "output">): string | undefined {
  const info = trace.errorInfo;
  if (info && (isNonEmpty(info.message) || isNonEmpty(info.exceptionType))) {
    return [info.exceptionType, info.message].filter(Boolean).join(": ");
  }
  const output = trace.output;
  if (output && typeof output === "object" && !Array.isArray(output)) {
    for (const [key, value] of Object.entries(output)) {
      if (ERROR_FIELDS.has(key.toLowerCase()) && isNonEmpty(value)) return textOf(value);
    }
  }
  return undefined;
}

export function classifyErrorText(text: string): ErrorPattern {
  const lower = text.toLowerCase();
  return ERROR_PATTERNS.find((pattern) => pattern !== "error" && lower.includes(pattern)) ?? (/timed out/.test(lower) ? "timeout" : "error");
}

/**
 * The action's own evaluation traces: an item whose task failed records its
 * error there, but deleting it would leave its experiment item pointing at nothing.
 */
export function isEvaluationTrace(trace: Pick<TraceRecord, "name" | "source">): boolean {
  return trace.name === EVALUATION_TRACE_NAME || trace.source === "experiment";
}

/** The pattern of an error trace to delete, or undefined when the trace is not one (or is an evaluation trace). */
export function classifyErrorTrace(trace: Pick<TraceRecord, "errorInfo" | "output" | "name" | "source">): ErrorPattern | undefined {
  if (isEvaluationTrace(trace)) return undefined;
  const text = errorTextOf(trace);
  return text === undefined ? undefined : classifyErrorText(text);
}
