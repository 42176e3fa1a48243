import { DATASET_LEASE, HARVEST_LOCK } from "../constants.js";
import type { ActionConfig } from "../config/parse-config.js";
import type { OpikGateway } from "../opik/opik-gateway.js";
import { createDataset, type DatasetResult } from "./create-dataset.js";
import { findPendingDatasets, type PendingDataset } from "./find-pending-dataset.js";
import { acquireHarvestLock, keepRenewing } from "./harvest-lock.js";
import { describeLease, isActive, newLease, withLeaseTag, type Lease, type RunIdentity } from "./lease.js";
import type { Logger } from "./logger.js";
import { selectNewSpans } from "./search-spans.js";
import { runStamp } from "./time-window.js";

/** What Steps 1 to 3 found and wrote. */
export type Harvest =
  | { kind: "dataset"; dataset: DatasetResult; counts: HarvestCounts; resumed: boolean; spansNew: number; warnings: string[]; lease: Lease; overlap: Overlap }
  | { kind: "nothing-new"; counts: HarvestCounts; warnings: string[]; overlap: Overlap }
  | { kind: "busy"; counts: HarvestCounts; warnings: string[]; overlap: Overlap }
  | { kind: "unknown-project"; counts: HarvestCounts; warnings: string[]; overlap: Overlap };

export interface HarvestCounts {
  found: number;
  deferred: number;
  sampledOut: number;
}

/** How this run met other runs on the same datasets. */
export interface Overlap {
  /** Time spent waiting for another run's harvest lock. */
  waitedMs: number;
  /** Pending datasets left alone because another run holds their lease. */
  leasedByOthers: { dataset: string; lease: Lease }[];
}

/**
 * Steps 1 to 3, one run at a time per dataset prefix: finish a dataset an
 * interrupted run left pending (once its lease has run out), else search the
 * window's new spans and copy them into a new dataset. The spans stay in this
 * function's scope, so they are freed once their items are written.
 */
export async function harvestDataset(opik: OpikGateway, config: ActionConfig, now: Date, run: RunIdentity, log: Logger): Promise<Harvest> {
  const noCounts: HarvestCounts = { found: 0, deferred: 0, sampledOut: 0 };
  // Newer Opik answers a search on an unknown project with nothing: a misspelled name would pass for a quiet day.
  if (!(await opik.projectExists())) return { kind: "unknown-project", counts: noCounts, warnings: [], overlap: { waitedMs: 0, leasedByOthers: [] } };

  const attempt = await acquireHarvestLock(opik, config.feature.datasetPrefix, run, log);
  if ("busy" in attempt) {
    const warning = `Skipped: ${describeLease(attempt.busy)} is still picking spans for ${config.feature.datasetPrefix} after this run waited ${Math.round(attempt.waitedMs / 1000)} s`;
    return { kind: "busy", counts: noCounts, warnings: [warning], overlap: { waitedMs: attempt.waitedMs, leasedByOthers: [] } };
  }
  const lock = attempt.held;
  if (lock.waitedMs >= 1000) log.info(`Took the harvest lock after waiting ${Math.round(lock.waitedMs / 1000)} s for another run`);
  const stopRenewing = keepRenewing(() => lock.renew(), HARVEST_LOCK.renewEveryMs, log, "the harvest lock");
  try {
    return await harvestLocked(opik, config, now, run, lock.waitedMs, log);
  } finally {
    stopRenewing();
    await lock.release();
  }
}

async function harvestLocked(opik: OpikGateway, config: ActionConfig, now: Date, run: RunIdentity, waitedMs: number, log: Logger): Promise<Harvest> {
  const warnings: string[] = [];
  const pendings = await findPendingDatasets(opik, config.feature.datasetPrefix);
  const clock = new Date();
  const leasedByOthers = pendings.flatMap((p) => (isActive(p.lease, clock) && p.lease.runId !== run.id ? [{ dataset: p.dataset.name, lease: p.lease }] : []));
  const overlap: Overlap = { waitedMs, leasedByOthers };
  for (const { dataset, lease } of leasedByOthers) warnings.push(`Left dataset ${dataset} to ${describeLease(lease)}, which is evaluating it`);
  const pending: PendingDataset | undefined = pendings.find((p) => !isActive(p.lease, clock) || p.lease.runId === run.id);
  if (pending) warnings.push(`Finishing dataset ${pending.dataset.name}, left incomplete by an earlier run (${pending.items.length} items)`);

  log.info(`Step 1: searching ${config.feature.spanName} LLM spans started in [${config.window.start.toISOString()}, ${config.window.end.toISOString()})`);
  // A span already in any pending dataset belongs to that dataset, even before its mark is written.
  const pendingSpanIds = new Set(pendings.flatMap((p) => p.items.flatMap((item) => (item.spanId ? [item.spanId] : []))));
  const room = Math.max(0, config.maxItems - (pending?.items.length ?? 0));
  const selection = await selectNewSpans(opik, { spanName: config.feature.spanName, window: config.window, extraFilters: config.spanFilter }, room, {
    exclude: pendingSpanIds,
    samplingRate: config.samplingRate,
    log,
  });
  const counts: HarvestCounts = { found: selection.found, deferred: selection.deferred, sampledOut: selection.sampledOut };
  if (selection.deferred) warnings.push(`${selection.deferred} new span(s) over max-items (${config.maxItems}) are left for the next run`);
  log.info(`Step 2: ${selection.found} span(s) found, ${selection.selected.length} not yet in a dataset`);

  if (!pending && selection.selected.length === 0) return { kind: "nothing-new", counts, warnings, overlap };

  const lease = newLease(run, new Date(), new Date(), DATASET_LEASE.ttlMs);
  if (pending) {
    // Taken over under the harvest lock: no other run can claim the same dataset meanwhile.
    await opik.setDatasetTags(pending.dataset, withLeaseTag(pending.dataset.tags, lease));
  }
  const datasetName = `${config.feature.datasetPrefix}-${runStamp(now)}`;
  log.info(`Step 3: ${pending ? `completing dataset ${pending.dataset.name}` : `creating dataset ${datasetName}`}`);
  const dataset = await createDataset(opik, {
    name: datasetName,
    spans: selection.selected,
    description: `${config.feature.spanName} spans harvested by opik-evaluate for ${config.experimentType}`,
    lease,
    ...(pending ? { pending } : {}),
  });
  warnings.push(...dataset.warnings);
  return {
    kind: "dataset",
    dataset,
    counts,
    resumed: Boolean(pending),
    spansNew: pending ? dataset.items.length : selection.selected.length,
    warnings,
    lease,
    overlap,
  };
}
