import { describe, expect, it } from "vitest";
import { classifyErrorTrace } from "../../src/pipeline/classify-error-trace.js";

describe("classifyErrorTrace", () => {
  it.each([
    [{ errorInfo: { exceptionType: "RuntimeError", message: "Retries exhausted after 3 attempts" } }, "retries exhausted"],
    [{ errorInfo: { message: "429: Rate limit reached" } }, "rate limit"],
    [{ output: { error: "Validation error: field verdict missing" } }, "validation error"],
    [{ output: { error_message: "upstream timeout" } }, "timeout"],
    [{ output: { exception: "Request timed out" } }, "timeout"],
    [{ output: { error: "tool call failed" } }, "failed"],
    [{ output: { error: { code: 500 } } }, "error"],
    [{ errorInfo: { exceptionType: "KeyError" } }, "error"],
  ])("classifies %j as %s", (trace, pattern) => {
    expect(classifyErrorTrace(trace)).toBe(pattern);
  });

  it.each([
    [{ output: { answer: "The earlier attempt failed because of a timeout, but this one worked." } }],
    [{ output: { error: null, verdict: "ok" } }],
    [{ output: { error: "", result: "fine" } }],
    [{ output: { summary: "An errorless run." } }],
    [{ output: "Error handling is described in section 3." }],
    [{ output: { errors_seen: 0 } }],
    [{ errorInfo: {} }],
    // The action's own evaluation traces: a failed task records its error there, and its experiment item points at it.
    [{ name: "evaluation_task", errorInfo: { exceptionType: "ProviderError", message: "Rate limit reached" } }],
    [{ name: "renamed", source: "experiment", output: { error: "timeout" } }],
  ])("does not treat %j as an error trace", (trace) => {
    expect(classifyErrorTrace(trace)).toBeUndefined();
  });
});
