import { describe, expect, it } from "vitest";
import { parseRailsReply } from "../../src/metrics/rails-reply.js";

const LABELS = ["correct", "incorrect"];

describe("parseRailsReply", () => {
  it.each([
    ["correct", "correct"],
    ["incorrect", "incorrect"],
    ["  Correct\n", "correct"],
    ["INCORRECT.", "incorrect"],
    ['"correct"', "correct"],
    ["**Incorrect**", "incorrect"],
    ["`correct`!", "correct"],
  ])("reads %j as the label %j", (reply, label) => {
    expect(parseRailsReply(reply, LABELS)).toEqual({ label });
  });

  it("returns the label as configured, whatever case the judge used", () => {
    expect(parseRailsReply("partially correct", ["Correct", "Partially Correct", "Wrong"])).toEqual({ label: "Partially Correct" });
  });

  it("reads a JSON reply with an explanation, bare, fenced or embedded", () => {
    const expected = { label: "incorrect", explanation: "Lyon is not the capital." };
    expect(parseRailsReply('{"label": "Incorrect", "explanation": "Lyon is not the capital."}', LABELS)).toEqual(expected);
    expect(parseRailsReply('```json\n{"label": "incorrect", "explanation": "Lyon is not the capital."}\n```', LABELS)).toEqual(expected);
    expect(parseRailsReply('Sure! {"label": "incorrect", "reason": "Lyon is not the capital."} Hope that helps.', LABELS)).toEqual(expected);
    expect(parseRailsReply('{"label": "correct"}', LABELS)).toEqual({ label: "correct" });
  });

  it("finds the JSON object as output_format finds JSON: past braces in prose, inside an array, in an inline fence", () => {
    expect(parseRailsReply('Using the {context} given: {"label": "correct"}', LABELS)).toEqual({ label: "correct" });
    expect(parseRailsReply('[{"label": "incorrect"}]', LABELS)).toEqual({ label: "incorrect" });
    expect(parseRailsReply('```json {"label": "correct"}```', LABELS)).toEqual({ label: "correct" });
  });

  it("reads Arize-style EXPLANATION / LABEL lines", () => {
    expect(parseRailsReply("EXPLANATION: The answer names Paris.\nLABEL: correct", LABELS)).toEqual({
      label: "correct",
      explanation: "The answer names Paris.",
    });
    expect(parseRailsReply("Label: incorrect", LABELS)).toEqual({ label: "incorrect" });
  });

  it.each([
    ["I cannot evaluate this.", /not one of the labels \(expected one of correct, incorrect\): "I cannot evaluate this\."/],
    ["correct, mostly", /not one of the labels/],
    ["The answer is correct", /not one of the labels/],
    ["", /not one of the labels/],
    ['{"label": "maybe", "explanation": "unsure"}', /judge label "maybe" is not a rail/],
    ['{"verdict": "correct"}', /JSON without a "label"/],
    ['{"label": 1}', /JSON without a "label"/],
    ["LABEL: partially", /judge label "partially" is not a rail/],
  ])("rejects %j", (reply, error) => {
    const parsed = parseRailsReply(reply, LABELS);
    expect("error" in parsed && parsed.error).toMatch(error);
  });
});
