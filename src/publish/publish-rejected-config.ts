import type { RawInputs } from "../config/parse-config.js";
import { computeVerdict, type GateSettings } from "../gate/index.js";
import { rejectedConfigResult } from "../pipeline/rejected-config-result.js";
import { publishResult } from "./publish-result.js";

/** A rejected configuration always fails the step, as an error; nothing else is gated. */
const REJECTED_GATE: GateSettings = { thresholds: {}, maxRegression: { perMetric: {} }, minItems: 1, maxErrorRate: 1, failOn: ["error"], baseline: "none" };

/**
 * Publishes a rejected configuration like any failed run: the job summary
 * lists the problems and the outputs carry status failed and result-json,
 * so a workflow reading them sees the failure and its reasons.
 */
export async function publishRejectedConfig(raw: Partial<RawInputs>, problems: readonly string[]): Promise<void> {
  const result = rejectedConfigResult(raw, problems);
  const verdict = computeVerdict({ run: { result, items: [] }, settings: REJECTED_GATE });
  // A result-file the configuration rejected is not written to; the default location is.
  const resultFile = raw["result-file"]?.trim();
  const usable = resultFile && !problems.some((problem) => problem.startsWith("result-file:"));
  await publishResult({ result, items: [], verdict, ...(usable ? { resultFile } : {}) });
}
