import { selectBaseline, type BaselineData, type BaselineMissing, type BaselineMode } from "../gate/index.js";
import type { OpikGateway } from "../opik/opik-gateway.js";
import type { DatasetRecord } from "../types.js";

/**
 * The experiment to compare with, read back from Opik with its per-item
 * scores: by default the newest earlier one on the same dataset from the
 * pull request's base branch (or the newest scheduled one).
 */
export async function loadBaseline(
  opik: OpikGateway,
  options: { dataset: DatasetRecord; currentExperimentId: string; mode: BaselineMode; baseBranch?: string },
): Promise<BaselineData | BaselineMissing> {
  if (options.mode === "none") return { missing: "baseline is none" };
  const candidates = await opik.listExperiments(options.dataset);
  const choice = selectBaseline(candidates, {
    mode: options.mode,
    currentExperimentId: options.currentExperimentId,
    ...(options.baseBranch ? { baseBranch: options.baseBranch } : {}),
  });
  if (choice.kind === "none") return { missing: choice.why };
  if (choice.kind === "problem") return { missing: choice.problem, problem: true };
  const items = await opik.listExperimentItems(choice.experiment);
  return { experimentName: choice.experiment.name, experimentId: choice.experiment.id, config: choice.experiment.metadata, items };
}
