import { OUTPUTS, type OutputName } from "../constants.js";
import { rounded } from "../gate/format-number.js";
import type { GateVerdict } from "../gate/index.js";
import type { RunResult } from "../run-result.js";
import { SUMMARY_BUDGET_BYTES } from "../report/limits.js";
import { renderGateSection } from "../report/render-gate.js";
import { renderSummary } from "../report/render-summary.js";
import { renderDriftSection } from "../report/render-drift-section.js";
import type { ItemOutcome } from "../types.js";
import { toResultJson } from "./result-json.js";
import { verdictStatisticsJson } from "./verdict-statistics-json.js";

/** A finished run and where its report points. */
export interface RunReport {
  result: RunResult;
  items: readonly ItemOutcome[];
  verdict: GateVerdict;
  /** Absolute path the result JSON is written to. */
  resultFile: string;
  compareUrl?: string;
  commentUrl?: string;
}

/** Per metric: what the gate saw, for the `scores` output; the gate keeps full precision, the output is rounded. */
export function scoresOutput(verdict: GateVerdict): Record<string, unknown> {
  return Object.fromEntries(
    verdict.metrics.map((m) => [
      m.name,
      {
        mean: m.mean === null ? null : rounded(m.mean),
        count: m.count,
        failed: m.failed,
        direction: m.direction,
        ...(m.threshold ? { threshold: m.threshold } : {}),
        ...(m.baselineMean !== undefined
          ? { baseline: rounded(m.baselineMean), delta: m.delta === undefined ? undefined : rounded(m.delta), ci: m.ci?.map(rounded), regression: m.regression }
          : {}),
        outcome: m.outcome,
      },
    ]),
  );
}

export interface Annotation {
  title: string;
  message: string;
}

/** What a runner writes for one run: the result file's text, the step outputs, the job summary and the annotations. */
export interface Publication {
  /** The result JSON, indented, for the result file and the log. */
  resultJson: string;
  resultFile: string;
  outputs: Record<OutputName, string>;
  summary: string;
  annotations: Annotation[];
}

/** The step outputs, the job summary (within GitHub's byte budget) and the annotations of a run. Pure. */
export function buildPublication(run: RunReport): Publication {
  const { result, verdict } = run;
  const resultJson = { ...toResultJson(result), ...verdictStatisticsJson(verdict) };
  const outputs: Record<OutputName, string> = {
    [OUTPUTS.status]: result.status,
    [OUTPUTS.resultJson]: JSON.stringify(resultJson),
    [OUTPUTS.resultFile]: run.resultFile,
    [OUTPUTS.datasetName]: result.datasetName ?? "",
    [OUTPUTS.experimentName]: result.experiment?.name ?? result.testSuite?.experimentName ?? "",
    [OUTPUTS.experimentUrl]: result.experiment?.url ?? result.testSuite?.url ?? "",
    [OUTPUTS.spansFound]: String(result.spansFound),
    [OUTPUTS.spansNew]: String(result.spansNew),
    [OUTPUTS.passed]: String(verdict.passed),
    [OUTPUTS.verdict]: verdict.state,
    [OUTPUTS.scores]: JSON.stringify(scoresOutput(verdict)),
    [OUTPUTS.compareUrl]: run.compareUrl ?? "",
    [OUTPUTS.promotedCount]: String(result.promoted?.items.length ?? 0),
    [OUTPUTS.commentUrl]: run.commentUrl ?? "",
    [OUTPUTS.drift]: result.drift?.state ?? "",
    [OUTPUTS.driftMetrics]: result.drift?.drifting.join(",") ?? "",
    ...suiteOutputs(result.testSuite),
  };
  const summary = `${renderSummary(result, verdict)}${result.drift ? `\n${renderDriftSection(result.drift)}` : ""}`;
  // A rejected configuration has no gate to speak of: its summary is the list of problems.
  const gate = result.configRejected
    ? ""
    : `\n${renderGateSection(verdict, { items: run.items, ...(run.result.promptVersion ? { promptVersion: run.result.promptVersion } : {}), maxBytes: SUMMARY_BUDGET_BYTES - Buffer.byteLength(summary) })}`;
  // Failing metrics show as annotations on the run, where reviewers look first.
  const annotations = verdict.metrics
    .filter((metric) => metric.outcome === "fail-threshold" || metric.outcome === "fail-regression")
    .map((metric) => ({ title: `Opik evaluate: ${metric.name} ${metric.outcome}`, message: metric.reason }));
  return { resultJson: JSON.stringify(resultJson, null, 2), resultFile: run.resultFile, outputs, summary: `${summary}${gate}`, annotations };
}

/** pass-rate, items-passed and items-failed: empty unless the run gated on a test suite. */
function suiteOutputs(suite: RunReport["result"]["testSuite"]): Record<"pass-rate" | "items-passed" | "items-failed", string> {
  return {
    [OUTPUTS.passRate]: suite?.passRate == null ? "" : String(Math.round(suite.passRate * 1e6) / 1e6),
    [OUTPUTS.itemsPassed]: suite ? String(suite.itemsPassed) : "",
    [OUTPUTS.itemsFailed]: suite ? String(suite.itemsFailed) : "",
  };
}
