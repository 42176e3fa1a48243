import type { RawInputs } from "./raw-inputs.js";

/** The test suite an evaluate run gates on, and the share of its items that must pass. */
export interface SuiteSettings {
  name: string;
  minPassRate: number;
  /** Where the name came from: the feature's key is also what the schedule promotes cases into, so only the input is out of place there. */
  from: "input" | "config";
}

const RATE = /^(0(\.\d+)?|1(\.0+)?|\.\d+)$/;

/** test-suite over features.<type>.test_suite.name; min-pass-rate from 0 to 1. */
export function parseSuiteSettings(raw: RawInputs, featureSuite: { name: string } | undefined): { suite?: SuiteSettings; problems: string[] } {
  const problems: string[] = [];
  const rate = raw["min-pass-rate"];
  if (!RATE.test(rate)) problems.push(`min-pass-rate: expected a number from 0 to 1, e.g. 0.9 (got "${rate}")`);
  const name = raw["test-suite"] || featureSuite?.name || "";
  if (!name || problems.length) return { problems };
  return { suite: { name, minPassRate: Number(rate), from: raw["test-suite"] ? "input" : "config" }, problems };
}
