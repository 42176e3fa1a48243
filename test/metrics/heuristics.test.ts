import { describe, expect, it } from "vitest";
import { valueAtPath } from "../../src/metrics/item-reference.js";
import { levenshteinDistance } from "../../src/metrics/levenshtein.js";
import { createExactMatchMetric, createLevenshteinRatioMetric, scoreExactMatch, scoreLevenshteinRatio } from "../../src/metrics/reference-heuristics.js";
import {
  createContainsMetric,
  createIsJsonMetric,
  createRegexMatchMetric,
  scoreContains,
  scoreIsJson,
  scoreRegexMatch,
} from "../../src/metrics/text-heuristics.js";
import { metricInput, reasonOf, valueOf } from "./fixtures.js";

describe("is_json", () => {
  it.each([
    ['{"verdict":"yes"}', 1],
    ["  [1, 2, 3]\n", 1],
    ["{}", 1],
    ['"just a string"', 0],
    ["42", 0],
    ["null", 0],
    ['```json\n{"verdict":"yes"}\n```', 0],
    ['Here you go: {"verdict":"yes"}', 0],
    ["{verdict: yes}", 0],
    ["", 0],
  ])("scores %j as %d", (output, expected) => {
    expect(valueOf(scoreIsJson(output))).toBe(expected);
  });

  it("says why a value is not structured JSON", () => {
    expect(scoreIsJson("42")).toEqual({ value: 0, reason: "The output is JSON of type number, not an object or array" });
    expect(reasonOf(scoreIsJson("{nope"))).toMatch(/^The output is not JSON \(/);
  });

  it("scores through the Metric interface", async () => {
    expect(await createIsJsonMetric().score(metricInput({ output: '{"a":1}' }))).toEqual({
      name: "is_json",
      ok: true,
      value: 1,
      reason: "The output is a JSON object",
    });
  });
});

describe("regex_match", () => {
  it("matches anywhere unless anchored, and honours flags", () => {
    expect(scoreRegexMatch("Verdict: APPROVED", { pattern: "APPROVED|REJECTED" })).toEqual({
      value: 1,
      reason: 'The output matches /APPROVED|REJECTED/: "APPROVED"',
    });
    expect(valueOf(scoreRegexMatch("Verdict: APPROVED", { pattern: "^(APPROVED|REJECTED)$" }))).toBe(0);
    expect(valueOf(scoreRegexMatch("verdict: approved", { pattern: "APPROVED" }))).toBe(0);
    expect(valueOf(scoreRegexMatch("verdict: approved", { pattern: "APPROVED", flags: "i" }))).toBe(1);
  });

  it("gives the same answer on every item even with a global flag", async () => {
    const metric = createRegexMatchMetric({ pattern: "yes", flags: "g" });
    const results = await Promise.all([1, 2, 3].map(() => metric.score(metricInput({ output: "yes" }))));
    expect(results.map((r) => (r.ok ? r.value : -1))).toEqual([1, 1, 1]);
  });

  it("fails every score, not 0, when no pattern is configured", async () => {
    expect(await createRegexMatchMetric(undefined).score(metricInput())).toEqual({
      name: "regex_match",
      ok: false,
      error: "regex_match has nothing to check against: set metric_settings.regex_match.pattern in the feature config",
    });
  });
});

describe("contains", () => {
  it("ignores case by default", () => {
    expect(scoreContains("The capital is PARIS.", { substring: "paris" })).toEqual({ value: 1, reason: 'The output contains "paris" (ignoring case)' });
    expect(valueOf(scoreContains("The capital is Lyon.", { substring: "paris" }))).toBe(0);
  });

  it("respects case_sensitive", () => {
    expect(scoreContains("The capital is PARIS.", { substring: "paris", case_sensitive: true })).toEqual({
      value: 0,
      reason: 'The output does not contain "paris"',
    });
    expect(valueOf(scoreContains("The capital is paris.", { substring: "paris", case_sensitive: true }))).toBe(1);
  });

  it("fails without a substring", async () => {
    const result = await createContainsMetric(undefined).score(metricInput());
    expect(result.ok).toBe(false);
  });
});

describe("exact_match", () => {
  it("compares with the recorded output, ignoring surrounding whitespace", () => {
    expect(scoreExactMatch(metricInput({ output: "Paris\n", expected: "Paris" }), undefined)).toEqual({
      value: 1,
      reason: "The output equals the recorded output",
    });
    expect(scoreExactMatch(metricInput({ output: "paris", expected: "Paris" }), undefined)).toEqual({
      value: 0,
      reason: 'The output differs from the recorded output: expected "Paris", got "paris"',
    });
  });

  it("compares with an item field at a dotted path", () => {
    const input = metricInput({ output: "Paris", data: { ...metricInput().data, expected_output: { answers: [{ text: "Paris" }] } } });
    expect(scoreExactMatch(input, { field: "expected_output.answers.0.text" })).toEqual({
      value: 1,
      reason: "The output equals expected_output.answers.0.text",
    });
  });

  it("fails, rather than scoring 0, when the reference is missing", async () => {
    const noRecording = metricInput({ data: { ...metricInput().data, expected_output: null }, expected: "" });
    expect(await createExactMatchMetric(undefined).score(noRecording)).toMatchObject({
      ok: false,
      error: expect.stringContaining("no recorded output") as unknown,
    });
    expect(await createExactMatchMetric({ field: "reference.answer" }).score(metricInput())).toEqual({
      name: "exact_match",
      ok: false,
      error: "the item has no field reference.answer",
    });
  });
});

describe("levenshtein_ratio", () => {
  it("is 1 − distance ÷ longer length", () => {
    expect(scoreLevenshteinRatio(metricInput({ output: "kitten", expected: "sitting" }), undefined)).toEqual({
      value: 1 - 3 / 7,
      reason: "3 edit(s) from the recorded output over 7 characters",
    });
    expect(valueOf(scoreLevenshteinRatio(metricInput({ output: "Paris", expected: "Paris" }), undefined))).toBe(1);
    expect(valueOf(scoreLevenshteinRatio(metricInput({ output: "abc", expected: "xyz" }), undefined))).toBe(0);
  });

  it("is 1 for two empty texts", () => {
    expect(valueOf(scoreLevenshteinRatio(metricInput({ output: "  ", expected: "", data: { expected_output: "" } }), undefined))).toBe(1);
  });

  it("reads a configured field and rounds the score", async () => {
    const input = metricInput({ output: "kitten", data: { ...metricInput().data, reference: "sitting" } });
    expect(await createLevenshteinRatioMetric({ field: "reference" }).score(input)).toEqual({
      name: "levenshtein_ratio",
      ok: true,
      value: 0.5714,
      reason: "3 edit(s) from reference over 7 characters",
    });
  });
});

describe("levenshteinDistance", () => {
  it.each([
    ["", "", 0],
    ["abc", "", 3],
    ["", "abc", 3],
    ["kitten", "sitting", 3],
    ["flaw", "lawn", 2],
    ["same prefix, different end", "same prefix, other end", 7],
    ["🙂a", "🙂b", 1],
  ])("%j → %j is %d", (a, b, distance) => {
    expect(levenshteinDistance(a, b)).toBe(distance);
    expect(levenshteinDistance(b, a)).toBe(distance);
  });
});

describe("levenshteinDistance against the textbook full table", () => {
  function textbook(a: string, b: string): number {
    const table = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        const row = table[i]!;
        const above = table[i - 1]!;
        row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
    }
    return table[a.length]![b.length]!;
  }

  it("agrees on 300 pseudo-random pairs over a small alphabet", () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const word = () => Array.from({ length: next() % 12 }, () => "abc"[next() % 3]).join("");
    for (let n = 0; n < 300; n++) {
      const a = word();
      const b = word();
      expect(levenshteinDistance(a, b), `${a} / ${b}`).toBe(textbook(a, b));
    }
  });
});

describe("valueAtPath", () => {
  it("walks objects and array indexes, own properties only", () => {
    const data = { a: { b: [{ c: 1 }] } };
    expect(valueAtPath(data, "a.b.0.c")).toBe(1);
    expect(valueAtPath(data, "a.b.1.c")).toBeUndefined();
    expect(valueAtPath(data, "a.constructor")).toBeUndefined();
  });
});
