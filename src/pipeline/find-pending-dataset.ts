import { PENDING_TAG } from "../constants.js";
import type { OpikGateway } from "../opik/opik-gateway.js";
import type { DatasetItemRecord, DatasetRecord } from "../types.js";
import { readLeaseTag, type Lease } from "./lease.js";
import { listHarvestedDatasets } from "./list-harvested-datasets.js";

export interface PendingDataset {
  dataset: DatasetRecord;
  items: DatasetItemRecord[];
  /** The run working on it; absent or expired when it may be taken over. */
  lease?: Lease;
}

/**
 * Datasets earlier runs created but did not finish (their spans not all
 * marked, or their experiment incomplete), oldest first. Finishing one before
 * harvesting anything new is what makes a crashed run safe to rerun; leaving
 * all their spans out of new datasets is what keeps a span in one dataset.
 */
export async function findPendingDatasets(opik: OpikGateway, datasetPrefix: string): Promise<PendingDataset[]> {
  const pending = (await listHarvestedDatasets(opik, datasetPrefix)).filter((d) => d.tags.includes(PENDING_TAG));
  return Promise.all(
    pending.map(async (dataset) => {
      const lease = readLeaseTag(dataset.tags);
      return { dataset, items: await opik.listDatasetItems(dataset), ...(lease ? { lease } : {}) };
    }),
  );
}
