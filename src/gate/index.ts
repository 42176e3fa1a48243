/** The gate: thresholds and baseline comparison over a run's scores. Pure; no runner or network. */
export { computeVerdict } from "./compute-verdict.js";
export { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, DEFAULT_FAIL_ON, FAIL_ON_STATES, VERDICT_STATES } from "./defaults.js";
export { pairedBootstrap } from "./paired-bootstrap.js";
export { parseBaselineMode, parseFailOn, parseGateInputs, parseMaxRegression } from "./parse-gate-inputs.js";
export { mergeThresholds, parseThresholds } from "./parse-thresholds.js";
export { selectBaseline, type BaselineChoice, type BaselineContext, type ExperimentCandidate } from "./select-baseline.js";
export type * from "./types.js";
export { withSuiteVerdict, type SuiteGateInput } from "./suite-verdict.js";
