import type { OpikGateway } from "../opik/opik-gateway.js";
import type { DatasetRecord } from "../types.js";

/**
 * The datasets this action harvested for a feature, oldest first: named
 * `{prefix}-YYYYMMDD-HHMMSS` (with `-N` when runs shared the second), so a user's own dataset that shares the prefix
 * is never taken for one of ours.
 */
export async function listHarvestedDatasets(opik: OpikGateway, datasetPrefix: string): Promise<DatasetRecord[]> {
  const named = await opik.findDatasets(`${datasetPrefix}-`);
  return named.filter((d) => /^\d{8}-\d{6}(-\d+)?$/.test(d.name.slice(datasetPrefix.length + 1))).sort((a, b) => a.name.localeCompare(b.name));
}
