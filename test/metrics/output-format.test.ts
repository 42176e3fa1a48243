import { describe, expect, it } from "vitest";
import {
  createOutputFormatMetric,
  scoreOutputFormat,
  validateJsonSchemaSpec,
  validateOutputFormatSpec,
  type OutputFormatSpec,
} from "../../src/metrics/output-format.js";
import type { MetricInput } from "../../src/types.js";

/** 8 checks on a good answer: object type, 2 required keys, verdict type and enum, score type, minimum and maximum. */
const VERDICT: OutputFormatSpec = {
  json_schema: {
    type: "object",
    required: ["verdict", "score"],
    properties: {
      verdict: { type: "string", enum: ["yes", "no"] },
      score: { type: "number", minimum: 0, maximum: 1 },
    },
  },
};
const VERDICT_CHECKS = 8;

describe("output_format with a json_schema", () => {
  it("gives full marks to bare JSON that passes every check", () => {
    expect(scoreOutputFormat('{"verdict":"yes","score":0.9}', VERDICT)).toEqual({
      value: 1,
      reason: `Bare JSON; ${VERDICT_CHECKS}/${VERDICT_CHECKS} schema checks passed`,
    });
  });

  it("takes a check off for a missing required key", () => {
    const { value, reason } = scoreOutputFormat('{"score":0.9}', VERDICT);
    // type, required score, score type/min/max pass; required verdict fails; verdict's own checks are not made.
    expect(value).toBeCloseTo(5 / 6);
    expect(reason).toBe('Bare JSON; 5/6 schema checks passed: missing required "verdict"');
  });

  it("names a wrong type and skips the checks that only apply to the right one", () => {
    const { value, reason } = scoreOutputFormat('{"verdict":"maybe","score":"high"}', VERDICT);
    // type, 2×required, verdict type pass; verdict enum and score type fail.
    expect(value).toBeCloseTo(4 / 6);
    expect(reason).toBe('Bare JSON; 4/6 schema checks passed: "verdict" should be one of "yes", "no" (got "maybe"); "score" should be number (got string)');
  });

  it("gives half credit to JSON in a ``` fence", () => {
    const { value, reason } = scoreOutputFormat('```json\n{"verdict":"no","score":0}\n```', VERDICT);
    expect(value).toBe(0.5);
    expect(reason).toMatch(/^JSON inside a ``` fence, not bare \(half credit\); 8\/8/);
  });

  it("gives half credit to JSON surrounded by prose, times the checks passed", () => {
    const { value, reason } = scoreOutputFormat('Sure! Here is my verdict: {"verdict":"no","score":2} — hope that helps [really].', VERDICT);
    expect(value).toBeCloseTo(0.5 * (7 / 8));
    expect(reason).toContain("JSON surrounded by other text");
    expect(reason).toContain('"score" should be <= 1 (got 2)');
  });

  it("scores 0 when there is no JSON", () => {
    expect(scoreOutputFormat("The verdict is yes, with a score of 0.9.", VERDICT)).toEqual({ value: 0, reason: "No JSON object or array found in the output" });
    expect(scoreOutputFormat('{"verdict": "yes", "score": }', VERDICT).value).toBe(0);
    expect(scoreOutputFormat("42", VERDICT).value).toBe(0);
  });

  it("checks the root type", () => {
    expect(scoreOutputFormat("[1,2]", VERDICT)).toEqual({ value: 0, reason: "Bare JSON; 0/1 schema checks passed: the output should be object (got array)" });
  });

  it("checks nested objects and arrays, an array weighing as one average element", () => {
    const spec: OutputFormatSpec = {
      json_schema: {
        type: "object",
        required: ["claims"],
        additionalProperties: false,
        properties: {
          claims: {
            type: "array",
            minItems: 1,
            items: {
              type: "object",
              required: ["text", "supported"],
              properties: { text: { type: "string", minLength: 1 }, supported: { type: "boolean" } },
            },
          },
        },
      },
    };
    const output = JSON.stringify({
      claims: [{ text: "a", supported: true }, { text: "", supported: "yes" }, { supported: false }, { text: "d", supported: true }],
      extra: 1,
    });
    const { value, reason } = scoreOutputFormat(output, spec);
    // Root: type, required, additionalProperties (fails), claims type, minItems = 4 of 5.
    // Elements (type, 2×required, text type+minLength, supported type): 6/6, 4/6, 3/4 (text missing), 6/6 → mean 4.75/5.5.
    expect(value).toBeCloseTo((4 + 4.75) / (5 + 5.5));
    expect(reason).toContain("8.75/10.5 schema checks passed");
    expect(reason).toContain('the output has unexpected property "extra"');
    expect(reason).toContain('"claims[1].text" should be at least 1 characters long (got 0)');
    expect(reason).toContain('"claims[1].supported" should be boolean (got string)');
    expect(reason).toContain('missing required "claims[2].text"');
  });

  it("supports integer, null, type lists, const, pattern, maxLength and maxItems", () => {
    const spec: OutputFormatSpec = {
      json_schema: {
        properties: {
          count: { type: "integer" },
          note: { type: ["string", "null"], maxLength: 5 },
          kind: { const: "report" },
          id: { type: "string", pattern: "^[a-z]+-\\d+$" },
          tags: { type: "array", maxItems: 1 },
        },
      },
    };
    const good = scoreOutputFormat('{"count":3,"note":null,"kind":"report","id":"abc-12","tags":[]}', spec);
    expect(good.value).toBe(1);
    const bad = scoreOutputFormat('{"count":3.5,"note":"too long","kind":"memo","id":"ABC","tags":[1,2]}', spec);
    expect(bad.reason).toContain('"count" should be integer (got number)');
    expect(bad.reason).toContain('"note" should be at most 5 characters long (got 8)');
    expect(bad.reason).toContain('"kind" should be "report" (got "memo")');
    expect(bad.reason).toContain('"id" should match /^[a-z]+-\\d+$/ (got "ABC")');
    expect(bad.reason).toContain('"tags" should have at most 1 items (got 2)');
  });

  it("gives full marks when the schema makes no checks", () => {
    expect(scoreOutputFormat('{"a":1}', { json_schema: { title: "Anything", description: "annotations only" } })).toEqual({
      value: 1,
      reason: "Bare JSON; the schema makes no checks",
    });
  });

  it("checks a schema using other keywords ($ref, anyOf, ...) with ajv, as one check", () => {
    const spec: OutputFormatSpec = { json_schema: { $ref: "#/$defs/X", anyOf: [{ type: "string" }], $defs: { X: { type: "object" } } } };
    expect(scoreOutputFormat('{"a":1}', spec)).toEqual({
      value: 0,
      reason: "Bare JSON; 0/1 schema checks passed: the output does not match its schema (the root): must be string; must match a schema in anyOf",
    });
    expect(scoreOutputFormat('"text"', spec).value).toBe(0);
  });

  it("keeps partial credit around subschemas that ajv checks: $ref, anyOf, format, uniqueItems, not, if/then", () => {
    const spec: OutputFormatSpec = {
      json_schema: {
        type: "object",
        required: ["verdict", "contact", "score", "tags"],
        properties: {
          verdict: { $ref: "#/$defs/verdict" },
          contact: { type: "string", format: "email" },
          score: { anyOf: [{ type: "number", minimum: 0, maximum: 1 }, { const: "n/a" }] },
          tags: { type: "array", uniqueItems: true, items: { not: { const: "" } } },
          kind: { if: { const: "report" }, then: { const: "report" }, else: { enum: ["memo", "note"] } },
        },
        $defs: { verdict: { type: "string", enum: ["valid", "invalid"] } },
      },
    };
    const good = scoreOutputFormat('{"verdict":"valid","contact":"a@b.org","score":"n/a","tags":["x","y"],"kind":"memo"}', spec);
    expect(good).toEqual({ value: 1, reason: "Bare JSON; 10/10 schema checks passed" });

    const bad = scoreOutputFormat('{"verdict":"maybe","contact":"nobody","score":2,"tags":["x","x"],"kind":"letter"}', spec);
    // type and the 4 required keys pass; verdict ($ref), contact format, score anyOf, tags uniqueItems and kind (if/else) fail.
    expect(bad.value).toBeCloseTo(5 / 10);
    expect(bad.reason).toContain('"verdict" does not match its schema (/properties/verdict): must be equal to one of the allowed values');
    expect(bad.reason).toContain('"contact" does not match its schema (/properties/contact): must match format "email"');
    expect(bad.reason).toContain('"score" does not match its schema (/properties/score)');
    expect(bad.reason).toContain('"tags" does not match its schema (/properties/tags): must NOT have duplicate items');
    // "kind" failing is in the count; its words fall past the 500-character cut.
  });

  it("checks items of an array against a subschema ajv checks, and property names that need escaping", () => {
    const spec: OutputFormatSpec = {
      json_schema: { type: "object", properties: { "a/b~c": { type: "array", items: { oneOf: [{ type: "integer" }, { type: "string" }] } } } },
    };
    expect(scoreOutputFormat('{"a/b~c":[1,"two"]}', spec).value).toBe(1);
    const { value, reason } = scoreOutputFormat('{"a/b~c":[1,true]}', spec);
    // object type, array type, then the array's one average element: 1 of 2 elements passes.
    expect(value).toBeCloseTo(2.5 / 3);
    expect(reason).toContain('"a/b~c[1]" does not match its schema (/properties/a~1b~0c/items): must be integer');
  });

  it("follows the draft named by $schema: draft-07 tuple items", () => {
    const spec: OutputFormatSpec = {
      json_schema: { $schema: "http://json-schema.org/draft-07/schema#", type: "array", items: [{ type: "string" }, { type: "number" }] },
    };
    expect(validateOutputFormatSpec(spec)).toEqual([]);
    expect(scoreOutputFormat('["a", 1]', spec).value).toBe(1);
    expect(scoreOutputFormat('["a", "b"]', spec).reason).toContain("must be number");
  });

  it("cuts long reasons to 500 characters", () => {
    const spec: OutputFormatSpec = { json_schema: { type: "array", items: { type: "string" } } };
    const { reason } = scoreOutputFormat(JSON.stringify(Array.from({ length: 100 }, (_, i) => i)), spec);
    expect(reason.length).toBeLessThanOrEqual(500);
    expect(reason.endsWith("...")).toBe(true);
  });
});

describe("output_format with a regex", () => {
  const spec: OutputFormatSpec = { regex: "(yes|no): \\d{1,3}%" };

  it("gives 1 when the whole trimmed output matches", () => {
    expect(scoreOutputFormat("  yes: 85%\n", spec)).toEqual({ value: 1, reason: "The whole output matches /(yes|no): \\d{1,3}%/" });
  });

  it("gives 0.5 when only part of the output matches", () => {
    expect(scoreOutputFormat("My answer is no: 10% sure", spec)).toEqual({
      value: 0.5,
      reason: 'Only part of the output matches /(yes|no): \\d{1,3}%/ (half credit): "no: 10%"',
    });
  });

  it("gives 0 when nothing matches, and ignores empty matches", () => {
    expect(scoreOutputFormat("maybe", spec).value).toBe(0);
    expect(scoreOutputFormat("abc", { regex: "\\d*" }).value).toBe(0);
  });
});

describe("output_format without a spec", () => {
  it("gives 1 to bare JSON, 0.5 to JSON in a fence or prose, 0 to anything else", () => {
    expect(scoreOutputFormat(' {"a": [1, {"b": "}"}]} ', undefined)).toEqual({ value: 1, reason: "Bare JSON" });
    expect(scoreOutputFormat("[1, 2]", undefined).value).toBe(1);
    expect(scoreOutputFormat('```\n{"a":1}\n```', undefined).value).toBe(0.5);
    expect(scoreOutputFormat('Result:\n```json\n{"a":1}\n```\nDone.', undefined).value).toBe(0.5);
    expect(scoreOutputFormat('I think {"a": "x}"} is right', undefined).value).toBe(0.5);
    expect(scoreOutputFormat("no json {here", undefined).value).toBe(0);
    expect(scoreOutputFormat('"just a string"', undefined).value).toBe(0);
  });
});

describe("createOutputFormatMetric", () => {
  const input = (output: string): MetricInput => ({ input: "q", output, rawOutput: output, expected: "", data: {} });

  it("returns a named result", async () => {
    await expect(createOutputFormatMetric(VERDICT).score(input('{"verdict":"yes","score":1}'))).resolves.toEqual({
      name: "output_format",
      ok: true,
      value: 1,
      reason: `Bare JSON; ${VERDICT_CHECKS}/${VERDICT_CHECKS} schema checks passed`,
    });
  });

  it("never throws, even on a spec that slipped past validation", async () => {
    const result = await createOutputFormatMetric({ regex: "(" }).score(input("x"));
    expect(result.ok).toBe(false);
    expect(result.name).toBe("output_format");
  });
});

describe("spec validation", () => {
  it("accepts a good schema and a good regex", () => {
    expect(validateOutputFormatSpec(VERDICT)).toEqual([]);
    expect(validateOutputFormatSpec({ regex: "^\\d+$" })).toEqual([]);
  });

  it("reports a misspelt type with where it is", () => {
    expect(validateJsonSchemaSpec({ type: "object", properties: { score: { type: "strnig" } } })).toEqual([
      'json_schema.properties.score.type: "strnig" is not a JSON Schema type (expected one of string, number, integer, boolean, object, array, null)',
    ]);
  });

  it("reports malformed keywords", () => {
    expect(
      validateJsonSchemaSpec({
        type: ["object", 3],
        required: "verdict",
        properties: { tags: { items: { type: "list" } }, name: { minLength: -1, maxLength: 2.5, pattern: "(" } },
        enum: [],
        minimum: "0",
        minItems: 3,
        maxItems: 1,
      }),
    ).toEqual([
      "json_schema.type: 3 is not a JSON Schema type (expected one of string, number, integer, boolean, object, array, null)",
      "json_schema.required: must be a list of property names",
      'json_schema.properties.tags.items.type: "list" is not a JSON Schema type (expected one of string, number, integer, boolean, object, array, null)',
      "json_schema.properties.name.minLength: must be a whole number >= 0, got -1",
      "json_schema.properties.name.maxLength: must be a whole number >= 0, got 2.5",
      'json_schema.properties.name.pattern: "(" is not a valid regular expression',
      "json_schema.enum: must be a non-empty list",
      'json_schema.minimum: must be a number, got "0"',
      "json_schema: minItems (3) is greater than maxItems (1), so nothing can match",
    ]);
  });

  it("reports a required key that additionalProperties: false forbids", () => {
    expect(validateJsonSchemaSpec({ required: ["a"], properties: { b: {} }, additionalProperties: false })).toEqual([
      'json_schema.required: "a" is required but not in properties, and additionalProperties is false',
    ]);
  });

  it("accepts a required key whose own schema is not spelled out", () => {
    expect(validateJsonSchemaSpec({ type: "object", required: ["verdict"] })).toEqual([]);
  });

  it("reports a schema that is not an object", () => {
    expect(validateJsonSchemaSpec(["object"])).toEqual(['json_schema: must be an object, got ["object"]']);
    expect(validateJsonSchemaSpec({ properties: { a: "string" } })).toEqual([
      'json_schema.properties.a: a schema must be an object or a boolean, got "string"',
    ]);
  });

  it.each([
    [{ type: "object", anyof: [{ type: "string" }] }, 'json_schema: unknown keyword: "anyof"'],
    [{ properties: { when: { type: "string", format: "date-tme" } } }, 'json_schema: unknown format "date-tme" ignored in schema at path "#/properties/when"'],
    [{ properties: { why: { type: "string", descriptoin: "typo" } } }, 'json_schema: unknown keyword: "descriptoin"'],
  ])("rejects a keyword or format that would otherwise be ignored, naming it: %j", (schema, message) => {
    const problems = validateJsonSchemaSpec(schema);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it("checks keywords the scorer leaves to ajv against the meta-schema", () => {
    expect(validateJsonSchemaSpec({ anyOf: { type: "string" } })).toContain("json_schema.anyOf: must be array");
    expect(validateJsonSchemaSpec({ properties: { n: { multipleOf: 0 } } })).toContain("json_schema.properties.n.multipleOf: must be > 0");
    expect(validateJsonSchemaSpec({ $ref: "#/$defs/missing" })[0]).toMatch(/^json_schema: can't resolve reference #\/\$defs\/missing/);
  });

  it("names the drafts it supports when $schema names another", () => {
    expect(validateJsonSchemaSpec({ $schema: "http://json-schema.org/draft-04/schema#", type: "object" })).toEqual([
      'json_schema.$schema: "http://json-schema.org/draft-04/schema#" is not a supported draft (expected one of https://json-schema.org/draft/2020-12/schema, https://json-schema.org/draft/2019-09/schema, http://json-schema.org/draft-07/schema, or none for 2020-12)',
    ]);
  });

  it("reports an invalid regex", () => {
    const [problem] = validateOutputFormatSpec({ regex: "([a-z]+" });
    expect(problem).toMatch(/^regex: "\(\[a-z\]\+" is not a valid regular expression \(.*Unterminated group.*\)$/);
  });
});
