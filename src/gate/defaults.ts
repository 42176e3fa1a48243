import { DEFAULT_FAIL_ON_STATES } from "../constants.js";
import type { FailOnState, VerdictState } from "./types.js";

/** Most severe first: the verdict's state is the first that applies. */
export const VERDICT_STATES: readonly VerdictState[] = ["error", "fail-threshold", "fail-regression", "insufficient-data", "skipped", "pass"];

export const FAIL_ON_STATES: readonly FailOnState[] = ["error", "fail-threshold", "fail-regression", "insufficient-data", "skipped"];

/** The type checks that every state constants.ts names is one fail-on accepts. */
export const DEFAULT_FAIL_ON: readonly FailOnState[] = DEFAULT_FAIL_ON_STATES;

/** 2000 resamples put the 2.5% and 97.5% quantiles within about ±0.005 of a 0-1 metric's interval. */
export const BOOTSTRAP_RESAMPLES = 2000;
/** Fixed, so the same scores always give the same interval and the same verdict. */
export const BOOTSTRAP_SEED = 0x0b5e55ed;
export const CONFIDENCE_LEVEL = 0.95;

/** Tolerance for comparing means that went through float arithmetic. */
export const SCORE_EPSILON = 1e-9;
