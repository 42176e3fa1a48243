import { PENDING_TAG } from "../constants.js";
import type { OpikGateway } from "../opik/opik-gateway.js";
import type { DatasetRecord } from "../types.js";

/**
 * Evaluate mode's dataset: the one named, or with "latest" the newest
 * complete dataset of the feature (a pending one may still be missing items).
 */
export async function findEvaluationDataset(opik: OpikGateway, requested: string, datasetPrefix: string): Promise<DatasetRecord | string> {
  if (requested !== "latest") {
    return (await opik.findDataset(requested)) ?? `dataset: no dataset named "${requested}" in project ${opik.projectName}`;
  }
  const complete = (await opik.findDatasets(`${datasetPrefix}-`))
    .filter((d) => !d.tags.includes(PENDING_TAG) && /^\d{8}-\d{6}$/.test(d.name.slice(datasetPrefix.length + 1)))
    .sort((a, b) => b.name.localeCompare(a.name));
  return complete[0] ?? `dataset: latest found no complete dataset named ${datasetPrefix}-YYYYMMDD-HHMMSS in project ${opik.projectName}; run the action in harvest mode first (on a schedule) or name a dataset`;
}
