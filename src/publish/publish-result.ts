import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as core from "@actions/core";
import { OUTPUTS } from "../constants.js";
import { rounded } from "../gate/format-number.js";
import type { GateVerdict } from "../gate/index.js";
import type { PipelineResult } from "../pipeline/run-pipeline.js";
import { MAX_STEP_SUMMARY_BYTES } from "../report/limits.js";
import { renderGateSection } from "../report/render-gate.js";
import { renderSummary } from "../report/render-summary.js";
import type { ItemOutcome } from "../types.js";

export interface Publication {
  result: PipelineResult;
  items: readonly ItemOutcome[];
  verdict: GateVerdict;
  resultFile?: string;
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
        ...(m.baselineMean !== undefined ? { baseline: rounded(m.baselineMean), delta: m.delta === undefined ? undefined : rounded(m.delta), ci: m.ci?.map(rounded), regression: m.regression } : {}),
        outcome: m.outcome,
      },
    ]),
  );
}

/** The result file, the step outputs and the job summary; the summary stays under GitHub's 1 MiB. */
export async function publishResult(publication: Publication): Promise<void> {
  const { result, verdict } = publication;
  const json = JSON.stringify(result, null, 2);
  const resultFile = path.resolve(publication.resultFile ?? path.join(process.env.RUNNER_TEMP ?? os.tmpdir(), "opik-evaluate-result.json"));
  await writeFile(resultFile, `${json}\n`);
  const outputs: Record<string, string> = {
    [OUTPUTS.status]: result.status,
    [OUTPUTS.resultJson]: JSON.stringify(result),
    [OUTPUTS.resultFile]: resultFile,
    [OUTPUTS.datasetName]: result.dataset_name ?? "",
    [OUTPUTS.experimentName]: result.experiment_result?.experiment_name ?? "",
    [OUTPUTS.experimentUrl]: result.experiment_result?.experiment_url ?? "",
    [OUTPUTS.spansFound]: String(result.spans_found),
    [OUTPUTS.spansNew]: String(result.spans_new),
    [OUTPUTS.passed]: String(verdict.passed),
    [OUTPUTS.verdict]: verdict.state,
    [OUTPUTS.scores]: JSON.stringify(scoresOutput(verdict)),
    [OUTPUTS.compareUrl]: publication.compareUrl ?? "",
    [OUTPUTS.commentUrl]: publication.commentUrl ?? "",
  };
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);

  if (process.env.GITHUB_STEP_SUMMARY) {
    const summary = renderSummary(result, verdict);
    // A rejected configuration has no gate to speak of: its summary is the list of problems.
    const gate = result.config_rejected ? "" : `\n${renderGateSection(verdict, { items: publication.items, maxBytes: MAX_STEP_SUMMARY_BYTES - Buffer.byteLength(summary) - 1024 })}`;
    await core.summary.addRaw(`${summary}${gate}`).write();
  }
  // Failing metrics show as annotations on the run, where reviewers look first.
  for (const metric of verdict.metrics) {
    if (metric.outcome === "fail-threshold" || metric.outcome === "fail-regression") core.error(metric.reason, { title: `Opik evaluate: ${metric.name} ${metric.outcome}` });
  }
  core.startGroup("Result");
  core.info(json);
  core.endGroup();
}
