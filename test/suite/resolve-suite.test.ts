import { describe, expect, it } from "vitest";
import {
  assertionsOf,
  DEFAULT_EXECUTION_POLICY,
  resolveExecutionPolicy,
  resolveItemExecutionPolicy,
  resolveSuiteItems,
} from "../../src/suite/resolve-suite.js";
import { judgeEvaluator } from "./fixtures.js";

const dataset = { id: "d1", name: "refunds", tags: [] };

describe("test suite resolution, as the SDK's evaluateTestSuite resolves items", () => {
  it("reads assertions from LLM judge schemas, by description else name, and skips other evaluator types", () => {
    const evaluators = [
      judgeEvaluator(["Is polite"]),
      { name: "j", type: "llm_judge", config: { schema: [{ name: "Named only" }] } },
      { name: "code", type: "code_metric", config: {} },
    ];
    expect(assertionsOf(evaluators)).toEqual({ assertions: ["Is polite", "Named only"], skipped: ["code_metric"] });
    expect(assertionsOf(undefined)).toEqual({ assertions: [], skipped: [] });
  });

  it("defaults the policy to DEFAULT_EXECUTION_POLICY and lets an item override it field by field", () => {
    expect(DEFAULT_EXECUTION_POLICY).toEqual({ runsPerItem: 1, passThreshold: 1 });
    const suite = resolveExecutionPolicy({ runsPerItem: 3 });
    expect(suite).toEqual({ runsPerItem: 3, passThreshold: 1 });
    expect(resolveItemExecutionPolicy({ passThreshold: 2 }, suite)).toEqual({ runsPerItem: 3, passThreshold: 2 });
    expect(resolveItemExecutionPolicy(undefined, suite)).toBe(suite);
  });

  it("gives each item the suite's assertions plus its own without repeats, and its effective policy", () => {
    const { items, warnings } = resolveSuiteItems({
      dataset,
      type: "evaluation_suite",
      version: { id: "v", evaluators: [judgeEvaluator(["Is polite", "Is short"])], executionPolicy: { runsPerItem: 3, passThreshold: 2 } },
      items: [
        { id: "a", data: { input: "x" }, evaluators: [judgeEvaluator(["Says 30 days", "Is polite"])], executionPolicy: { runsPerItem: 1, passThreshold: 1 } },
        { id: "b", data: { input: "y" } },
        { id: "c", data: { input: "z" }, evaluators: [{ name: "x", type: "other", config: {} }] },
      ],
    });
    expect(items.map((i) => [i.id, i.assertions, i.policy])).toEqual([
      ["a", ["Is polite", "Is short", "Says 30 days"], { runsPerItem: 1, passThreshold: 1 }],
      ["b", ["Is polite", "Is short"], { runsPerItem: 3, passThreshold: 2 }],
      ["c", ["Is polite", "Is short"], { runsPerItem: 3, passThreshold: 2 }],
    ]);
    expect(warnings).toEqual(["test suite refunds: evaluator type other is not supported and was skipped"]);
  });

  it("a suite never versioned has no suite assertions and the default policy", () => {
    const { items } = resolveSuiteItems({ dataset, type: "evaluation_suite", items: [{ id: "a", data: {} }] });
    expect(items[0]).toMatchObject({ assertions: [], policy: { runsPerItem: 1, passThreshold: 1 } });
  });
});
