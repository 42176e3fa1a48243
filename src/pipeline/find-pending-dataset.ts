import { PENDING_TAG } from "../constants.js";
import type { OpikGateway } from "../opik/opik-gateway.js";
import type { DatasetItemRecord, DatasetRecord } from "../types.js";

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
  const ours = await opik.findDatasets(`${datasetPrefix}-`);
  const pending = ours
    .filter((d) => d.tags.includes(PENDING_TAG) && /^\d{8}-\d{6}$/.test(d.name.slice(datasetPrefix.length + 1)))
    .sort((a, b) => a.name.localeCompare(b.name));
  const oldest = pending[0];
  if (!oldest) return undefined;
  return { dataset: oldest, items: await opik.listDatasetItems(oldest) };
}
