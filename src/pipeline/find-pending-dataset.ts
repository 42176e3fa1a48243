import { PENDING_TAG } from "../constants.js";
import type { OpikGateway } from "../opik/opik-gateway.js";
import type { DatasetItemRecord, DatasetRecord } from "../types.js";
import { listHarvestedDatasets } from "./list-harvested-datasets.js";

export interface PendingDataset {
  dataset: DatasetRecord;
  items: DatasetItemRecord[];
}

/**
 * A dataset an earlier run created but did not finish (its spans not all
 * marked, or its experiment incomplete). Finishing it before harvesting
 * anything new is what makes a crashed run safe to rerun: its spans are never
 * copied into a second dataset, and none is left out.
 */
export async function findPendingDataset(opik: OpikGateway, datasetPrefix: string): Promise<PendingDataset | undefined> {
  const oldest = (await listHarvestedDatasets(opik, datasetPrefix)).find((d) => d.tags.includes(PENDING_TAG));
  if (!oldest) return undefined;
  return { dataset: oldest, items: await opik.listDatasetItems(oldest) };
}
