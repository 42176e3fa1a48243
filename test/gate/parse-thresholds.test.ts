import { describe, expect, it } from "vitest";
import { mergeThresholds, parseThresholds } from "../../src/gate/parse-thresholds.js";

describe("parseThresholds", () => {
  it("reads <= as a maximum and >= as a minimum", () => {
    expect(parseThresholds("hallucination<=0.2, output_format>=0.9")).toEqual({
      thresholds: { hallucination: { max: 0.2 }, output_format: { min: 0.9 } },
      problems: [],
    });
  });

  it("takes the bound from the metric's direction for name=value", () => {
    expect(parseThresholds("hallucination=0.2\noutput_format = 0.9").thresholds).toEqual({ hallucination: { max: 0.2 }, output_format: { min: 0.9 } });
  });

  it("allows a bound against the direction when it is written out", () => {
    expect(parseThresholds("hallucination >= 0.05, hallucination <= 0.3")).toEqual({ thresholds: { hallucination: { min: 0.05, max: 0.3 } }, problems: [] });
  });

  it("reads an empty input as no thresholds", () => {
    expect(parseThresholds("  \n ")).toEqual({ thresholds: {}, problems: [] });
  });

  it.each([
    ["hallucination<0.2", /thresholds: "hallucination<0.2": strict < is not supported; use <= /],
    ["hallucination<=high", /thresholds: "hallucination<=high" needs a number after <= \(expected entries like hallucination<=0.2, output_format>=0.9/],
    ["hallucination is low", /thresholds: cannot read "hallucination is low" \(expected entries like hallucination<=0.2/],
    ["politeness=0.5", /politeness is not in the metric catalog, so its direction is unknown; write politeness<=value or politeness>=value/],
    ["hallucination<=0.2, hallucination<=0.3", /thresholds: hallucination has two maximums \(<=\); give one/],
    ["output_format>=0.9, output_format<=0.5", /thresholds: output_format needs a minimum \(0.9\) no greater than its maximum \(0.5\)/],
  ])("names the input and the expected form for %j", (text, problem) => {
    const { problems } = parseThresholds(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  it("reports every bad entry at once and keeps the good ones", () => {
    const parsed = parseThresholds("hallucination<0.2, output_format>=0.9, nope");
    expect(parsed.thresholds).toEqual({ output_format: { min: 0.9 } });
    expect(parsed.problems).toHaveLength(2);
  });
});

describe("mergeThresholds", () => {
  it("lets the input replace the config's bounds for the metrics it names", () => {
    expect(mergeThresholds({ hallucination: { max: 0.1 }, output_format: { min: 0.8 } }, { hallucination: { max: 0.3 } })).toEqual({
      hallucination: { max: 0.3 },
      output_format: { min: 0.8 },
    });
  });
});
