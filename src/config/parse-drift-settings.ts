import type { DriftSettings } from "../drift/types.js";
import type { RawInputs } from "./raw-inputs.js";
import type { RunMode } from "./parse-run-settings.js";

/** The drift check's settings: it runs on scheduled (harvest) runs, which are what its windows count. */
export interface DriftConfig extends DriftSettings {
  /** Whether the feature's drift issue is kept on GitHub. */
  issue: boolean;
}

function wholeNumber(raw: string, name: string, min: number, max: number, problems: string[]): number {
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) problems.push(`${name}: expected a whole number from ${min} to ${max} (got "${raw}")`);
  return value;
}

/** Pure: every problem with the drift inputs, named, or the settings. Run before any work, like the other parsers. */
export function parseDriftSettings(raw: RawInputs, mode: RunMode | undefined): { settings?: DriftConfig; problems: string[] } {
  const problems: string[] = [];
  const window = wholeNumber(raw["drift-window"], "drift-window", 2, 100, problems);
  const reference = wholeNumber(raw["drift-reference"], "drift-reference", 2, 500, problems);
  if (Number.isInteger(window) && Number.isInteger(reference) && reference < window)
    problems.push(
      `drift-reference: expected at least drift-window (${window}) runs, so the reference is not noisier than what it judges (got "${raw["drift-reference"]}")`,
    );
  const minEffect = Number(raw["drift-min-effect"].trim());
  if (!raw["drift-min-effect"].trim() || !Number.isFinite(minEffect) || minEffect <= 0)
    problems.push(`drift-min-effect: expected a number above 0, in the metrics' units (got "${raw["drift-min-effect"]}")`);
  const issueText = raw["drift-issue"].trim().toLowerCase();
  if (!["", "true", "false"].includes(issueText)) problems.push(`drift-issue: expected true or false (got "${raw["drift-issue"]}")`);
  if (problems.length) return { problems };
  return { settings: { window, reference, minEffect, issue: issueText === "" ? mode === "harvest" : issueText === "true" }, problems };
}
