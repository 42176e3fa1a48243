import { DEFAULT_INPUTS, type InputName } from "../../src/constants.js";
import type { RawInputs } from "../../src/config/raw-inputs.js";
import type { EvaluateDeps } from "../../src/core/evaluate.js";
import { opikJudgeMetrics } from "../../src/opik/opik-judges.js";
import type { ChatModel } from "../../src/types.js";
import type { FakeOpikGateway } from "../support/fake-opik-gateway.js";

/** The span name and dataset prefix the core tests harvest. */
export const SPAN_NAME = "charter_llm";
export const PREFIX = "charters";

/** A harvest run's inputs as the action reads them (unset inputs empty), scoring levenshtein_ratio, with no cleanup, baseline or comment. */
export function harvestInputs(overrides: Partial<RawInputs> = {}): RawInputs {
  const empty = Object.fromEntries(Object.keys(DEFAULT_INPUTS).map((name) => [name, ""])) as Record<InputName, string>;
  return {
    ...empty,
    "opik-url": "http://opik.test/api",
    "opik-project": "charters-app",
    "span-name": SPAN_NAME,
    "dataset-prefix": PREFIX,
    "task-provider": "openai",
    "openai-api-key": "sk-test",
    metrics: "levenshtein_ratio",
    mode: "harvest",
    "cleanup-errors": "false",
    baseline: "none",
    comment: "off",
    ...overrides,
  };
}

/** The core's dependencies on the fake Opik and `model`, with no files, at `now`; warnings are collected. */
export function fakeDeps(opik: FakeOpikGateway, model: ChatModel, now: Date): EvaluateDeps & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    files: {
      registry: (raw) => Promise.resolve({ path: raw.config || DEFAULT_INPUTS.config, missing: true, explicit: false }),
      facts: () => Promise.resolve({}),
      taskPrompt: (file) => Promise.reject(new Error(`no prompt file in these tests (${file.path})`)),
    },
    opik: () => opik,
    chatModel: () => model,
    judgeMetrics: opikJudgeMetrics,
    now: () => now,
    log: { info: () => undefined, warning: (message) => warnings.push(message), progress: () => undefined },
  };
}
