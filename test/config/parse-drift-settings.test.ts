import { describe, expect, it } from "vitest";
import { parseDriftSettings } from "../../src/config/parse-drift-settings.js";
import { withDefaults } from "../../src/config/raw-inputs.js";

describe("parseDriftSettings", () => {
  it("defaults to 6 recent runs against 24, a 0.05 minimum effect, and the issue on scheduled (harvest) runs only", () => {
    expect(parseDriftSettings(withDefaults({}), "harvest")).toEqual({ settings: { window: 6, reference: 24, minEffect: 0.05, issue: true }, problems: [] });
    expect(parseDriftSettings(withDefaults({}), "evaluate").settings?.issue).toBe(false);
    expect(parseDriftSettings(withDefaults({ "drift-issue": "FALSE" }), "harvest").settings?.issue).toBe(false);
    expect(
      parseDriftSettings(withDefaults({ "drift-issue": "true", "drift-window": "4", "drift-reference": "12", "drift-min-effect": "0.1" }), "evaluate").settings,
    ).toEqual({
      window: 4,
      reference: 12,
      minEffect: 0.1,
      issue: true,
    });
  });

  it("reports every problem at once, naming the input and the form expected", () => {
    const { problems, settings } = parseDriftSettings(
      withDefaults({ "drift-window": "six", "drift-reference": "1", "drift-min-effect": "-0.1", "drift-issue": "yes" }),
      "harvest",
    );
    expect(settings).toBeUndefined();
    expect(problems).toEqual([
      'drift-window: expected a whole number from 2 to 100 (got "six")',
      'drift-reference: expected a whole number from 2 to 500 (got "1")',
      'drift-min-effect: expected a number above 0, in the metrics\' units (got "-0.1")',
      'drift-issue: expected true or false (got "yes")',
    ]);
    expect(parseDriftSettings(withDefaults({ "drift-window": "10", "drift-reference": "8" }), "harvest").problems).toEqual([
      'drift-reference: expected at least drift-window (10) runs, so the reference is not noisier than what it judges (got "8")',
    ]);
  });
});
