import { computeVerdict } from "../../src/gate/compute-verdict.js";
import type { GateInput, GateVerdict, VerdictState } from "../../src/gate/types.js";
import type { PipelineRun } from "../../src/run-result.js";
import type { ItemOutcome } from "../../src/types.js";
import { baseline, gateInput, JUDGE_CONFIG, result, settings } from "./fixtures.js";

/** One realistic run per verdict state, for the report's golden files. */

const QUESTIONS = [
  "Can the mayor extend the consultation period?",
  "Who may submit a citizen proposal?",
  "How many signatures does a petition need?",
  "When is the annual budget debated?",
  "Can a proposal be withdrawn after submission?",
  "Who moderates the public forum?",
  "What happens to proposals that are rejected?",
  "Are council minutes public?",
  "How are committee members chosen?",
  "Can non-residents comment on proposals?",
  "How long is a proposal open for votes?",
  "Who verifies the petition signatures?",
];

function outcome(i: number, hallucination: number, outputFormat: number, extra: Partial<ItemOutcome> = {}): ItemOutcome {
  const id = `0195b1c2-0000-7000-8000-0000000000${String(i).padStart(2, "0")}`;
  return {
    datasetItemId: id,
    spanId: `0195a0a0-0000-7000-8000-0000000000${String(i).padStart(2, "0")}`,
    traceId: `0195a0ff-0000-7000-8000-0000000000${String(i).padStart(2, "0")}`,
    input: QUESTIONS[i % QUESTIONS.length] ?? "",
    output: `{"answer": "Article ${i + 3} of the charter covers this.", "sources": ["charter#art-${i + 3}"]}`,
    scores: {
      hallucination: {
        value: hallucination,
        reason: hallucination > 0.5 ? `The answer cites Article ${i + 3}, which the context does not contain.` : "Every claim is supported by the context.",
      },
      output_format: { value: outputFormat, ...(outputFormat < 1 ? { reason: "Missing required property: sources" } : {}) },
    },
    failedMetrics: {},
    ...extra,
  };
}

const good = (): ItemOutcome[] => Array.from({ length: 12 }, (_, i) => outcome(i, i === 4 ? 1 : 0, 1));
const thresholds = { hallucination: { max: 0.2 }, output_format: { min: 0.9 } };

export interface Scenario {
  state: VerdictState;
  run: PipelineRun;
  verdict: GateVerdict;
}

function scenario(
  state: VerdictState,
  outcomes: ItemOutcome[],
  input: Partial<Omit<GateInput, "run">>,
  resultOverrides: Parameters<typeof result>[0] = {},
): Scenario {
  const experiment = result().experiment;
  const counts = { itemsTotal: outcomes.length, taskErrors: outcomes.filter((o) => o.taskError).length };
  const full = gateInput(
    outcomes,
    { settings: settings({ thresholds }), ...input },
    { ...(experiment ? { experiment: { ...experiment, ...counts } } : {}), ...resultOverrides },
  );
  return { state, run: full.run, verdict: computeVerdict(full) };
}

export function scenarios(): Scenario[] {
  const before = good();
  return [
    scenario("pass", good(), { baseline: baseline(before) }),
    scenario(
      "fail-threshold",
      Array.from({ length: 12 }, (_, i) => outcome(i, 0, i % 3 === 0 ? 0.5 : 1)),
      {},
    ),
    scenario(
      "fail-regression",
      Array.from({ length: 12 }, (_, i) => outcome(i, i < 7 ? 1 : 0, 1)),
      // The baseline ran an earlier version of the task prompt: the report names both.
      { settings: settings({ thresholds: { output_format: { min: 0.9 } } }), baseline: baseline(before, { ...JUDGE_CONFIG, prompt_version: "a1b2c3d4" }) },
      { promptVersion: PROMPT_VERSION },
    ),
    scenario(
      "error",
      Array.from({ length: 12 }, (_, i) =>
        i < 4
          ? { ...outcome(i, 0, 1), scores: {}, output: "", taskError: "gemini gemini-2.0-flash: 503 Service Unavailable (retries exhausted)" }
          : outcome(i, 0, 1),
      ),
      {},
      { errors: ["span 0195a0a0 (dataset item 0195b1c2): gemini gemini-2.0-flash: 503 Service Unavailable"] },
    ),
    scenario("insufficient-data", good(), { baseline: baseline(before.slice(0, 4)) }),
    scenario("skipped", [], {}, { status: "skipped", spansNew: 0, datasetName: null, experiment: null, usage: { task: zero(), judge: zero(), costUsd: 0 } }),
  ];
}

function zero(): { calls: number; promptTokens: number; completionTokens: number; totalTokens: number; costUsd: number } {
  return { calls: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0 };
}

/** The task prompt's version a scenario's run recorded. */
export const PROMPT_VERSION = {
  name: "charter_optimization",
  commit: "e5f6a7b8",
  versionId: "0194d2a0-0000-7000-8000-0000e5f6a7b8",
  reused: false,
  url: "https://www.comet.com/opik/ocapistaine/prompts/0194d2a0-0000-7000-8000-00000000c0de",
};

export const LINKS = {
  compareUrl:
    "https://www.comet.com/opik/ocapistaine/experiments/compare?experiments=%5B%220194d2a0-0000-7000-8000-000000000001%22%2C%220194d2a0-0000-7000-8000-0000000000b1%22%5D",
  runUrl: "https://github.com/octo-org/hello-world/actions/runs/42",
};
