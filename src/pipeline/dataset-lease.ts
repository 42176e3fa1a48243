import { DATASET_LEASE, DATASET_TAG, PENDING_TAG } from "../constants.js";
import { errorMessage } from "../errors.js";
import type { OpikGateway } from "../opik/opik-gateway.js";
import type { DatasetRecord } from "../types.js";
import { newLease, readLeaseTag, withLeaseTag, type Lease, type RunIdentity } from "./lease.js";
import { listHarvestedDatasets } from "./list-harvested-datasets.js";
import type { Logger } from "./logger.js";

/** Pushes the expiry of this run's lease on a pending dataset forward while its experiment runs. */
export async function renewDatasetLease(opik: OpikGateway, dataset: DatasetRecord, run: RunIdentity, lease: Lease): Promise<void> {
  await opik.setDatasetTags(dataset, withLeaseTag([DATASET_TAG, PENDING_TAG], newLease(run, lease.startedAt, new Date(), DATASET_LEASE.ttlMs)));
}

/**
 * Drops this run's leases on the datasets it could not finish, so the next run
 * resumes them at once instead of waiting for the leases to run out.
 */
export async function releaseDatasetLeases(opik: OpikGateway, datasetPrefix: string, run: RunIdentity, log: Logger): Promise<void> {
  try {
    for (const dataset of await listHarvestedDatasets(opik, datasetPrefix)) {
      if (readLeaseTag(dataset.tags)?.runId === run.id) await opik.setDatasetTags(dataset, withLeaseTag(dataset.tags, undefined));
    }
  } catch (error) {
    log.warning(
      `Could not release this run's lease on its unfinished dataset: ${errorMessage(error)}; the next run takes the dataset over when the lease expires`,
    );
  }
}
