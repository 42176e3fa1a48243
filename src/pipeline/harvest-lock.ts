import { setTimeout as sleep } from "node:timers/promises";
import { HARVEST_LOCK, LOCK_DATASET_PREFIX, LOCK_TAG } from "../constants.js";
import { AlreadyExistsError, errorMessage } from "../errors.js";
import type { OpikGateway } from "../opik/opik-gateway.js";
import type { DatasetRecord } from "../types.js";
import { isActive, newLease, readLeaseTag, withLeaseTag, type Lease, type RunIdentity } from "./lease.js";
import type { Logger } from "./logger.js";

export interface HeldLock {
  /** How long this run waited for another run's lock; 0 when the lock was free. */
  waitedMs: number;
  /** Pushes the expiry forward; the holder calls it while it works. */
  renew(): Promise<void>;
  release(): Promise<void>;
}

export type LockAttempt = { held: HeldLock } | { busy: Lease; waitedMs: number };

interface LockRecord {
  dataset: DatasetRecord;
  generation: number;
  lease?: Lease;
}

export function lockBaseName(datasetPrefix: string): string {
  return `${LOCK_DATASET_PREFIX}${datasetPrefix}.`;
}

async function listLocks(opik: OpikGateway, base: string): Promise<LockRecord[]> {
  const locks: LockRecord[] = [];
  for (const dataset of await opik.findDatasets(base)) {
    const generation = dataset.name.slice(base.length);
    if (!/^\d+$/.test(generation)) continue;
    const lease = readLeaseTag(dataset.tags);
    locks.push({ dataset, generation: Number(generation), ...(lease ? { lease } : {}) });
  }
  return locks.sort((a, b) => b.generation - a.generation);
}

/**
 * The lock that makes choosing spans and pending datasets one run at a time.
 * Opik's only atomic write is a create that answers 409 on a taken name, so
 * the lock is a dataset named `<base><generation>`: whoever creates the next
 * generation holds it. A holder that dies stops renewing; once its lease has
 * run out, the next run creates the following generation and takes over.
 */
export async function acquireHarvestLock(
  opik: OpikGateway,
  datasetPrefix: string,
  run: RunIdentity,
  log: Logger,
  timing: { ttlMs: number; pollMs: number; maxWaitMs: number } = HARVEST_LOCK,
): Promise<LockAttempt> {
  const base = lockBaseName(datasetPrefix);
  const started = Date.now();
  let announced = false;
  for (;;) {
    const locks = await listLocks(opik, base);
    const top = locks[0];
    const now = new Date();
    if (top && isActive(top.lease, now) && top.lease.runId !== run.id) {
      const waitedMs = Date.now() - started;
      if (waitedMs >= timing.maxWaitMs) return { busy: top.lease, waitedMs };
      if (!announced)
        log.info(
          `Waiting for run ${top.lease.runId}, which is choosing spans for ${datasetPrefix} (its lease runs until ${top.lease.expiresAt.toISOString()})`,
        );
      announced = true;
      await sleep(timing.pollMs * (0.5 + Math.random()));
      continue;
    }
    const lease = newLease(run, now, now, timing.ttlMs);
    const name = `${base}${(top?.generation ?? 0) + 1}`;
    let dataset: DatasetRecord;
    try {
      dataset = await opik.createDataset(name, lockDescription(run), withLeaseTag([LOCK_TAG], lease));
    } catch (error) {
      // Another run created this generation first: look again at who holds it.
      if (error instanceof AlreadyExistsError) continue;
      throw error;
    }
    // Earlier generations are expired or released; removing them keeps the listing short.
    for (const stale of locks) await opik.deleteDataset(stale.dataset).catch(() => undefined);
    return { held: heldLock(opik, dataset, run, timing.ttlMs, announced ? Date.now() - started : 0, log) };
  }
}

function heldLock(opik: OpikGateway, dataset: DatasetRecord, run: RunIdentity, ttlMs: number, waitedMs: number, log: Logger): HeldLock {
  const startedAt = new Date();
  return {
    waitedMs,
    async renew() {
      const now = new Date();
      await opik.setDatasetTags(dataset, withLeaseTag([LOCK_TAG], newLease(run, startedAt, now, ttlMs)));
    },
    // Released by dropping the lease, not by deleting: generations only grow, so a run
    // that listed the locks before the release can never create a generation already held.
    async release() {
      try {
        await opik.setDatasetTags(dataset, [LOCK_TAG]);
      } catch (error) {
        // Harmless: the lease runs out by itself, and the next run takes the lock over then.
        log.warning(`Could not release the harvest lock ${dataset.name}: ${errorMessage(error)}; it expires by itself`);
      }
    },
  };
}

function lockDescription(run: RunIdentity): string {
  const text = `opik-evaluate's harvest lock, taken by run ${run.id}${run.url ? ` (${run.url})` : ""}: one run at a time picks new spans`;
  return text.length <= 200 ? text : `opik-evaluate's harvest lock, taken by run ${run.id}: one run at a time picks new spans`;
}

/** Calls `renew` every `everyMs` until stopped; a failed renewal is logged, not fatal. */
export function keepRenewing(renew: () => Promise<void>, everyMs: number, log: Logger, what: string): () => void {
  const timer = setInterval(() => {
    renew().catch((error: unknown) => log.warning(`Could not renew the lease on ${what}: ${errorMessage(error)}`));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
