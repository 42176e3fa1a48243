import { PENDING_TAG } from "../constants.js";
import type { OpikGateway } from "../opik/opik-gateway.js";
import type { DatasetRecord } from "../types.js";
import { listHarvestedDatasets } from "./list-harvested-datasets.js";

/**
 * Evaluate mode's dataset: the one named, or with "latest" the newest
 * complete dataset of the feature (a pending one may still be missing items).
 */
export async function findEvaluationDataset(opik: OpikGateway, requested: string, datasetPrefix: string): Promise<DatasetRecord | string> {
  if (requested !== "latest") {
    return (await opik.findDataset(requested)) ?? `dataset: no dataset named "${requested}" in project ${opik.projectName}`;
  }
  const newestComplete = (await listHarvestedDatasets(opik, datasetPrefix)).filter((d) => !d.tags.includes(PENDING_TAG)).at(-1);
  return (
    newestComplete ??
    `dataset: latest found no complete dataset named ${datasetPrefix}-YYYYMMDD-HHMMSS in project ${opik.projectName}; run the action in harvest mode first (on a schedule) or name a dataset`
  );
}
