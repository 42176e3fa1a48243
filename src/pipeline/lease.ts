import { LEASE_TAG_PREFIX } from "../constants.js";

/**
 * Which run works on something, since when, and until when it may be taken
 * over. Opik has no locks: leases ride on dataset tags and descriptions, and
 * a run that dies simply lets its lease run out.
 */
export interface Lease {
  runId: string;
  startedAt: Date;
  expiresAt: Date;
}

/** This run, as leases and logs name it. */
export interface RunIdentity {
  /** Unique per run; never a secret. */
  id: string;
  /** Where a person finds the run (its workflow run URL), if known. */
  url?: string;
}

export function newLease(run: RunIdentity, startedAt: Date, now: Date, ttlMs: number): Lease {
  return { runId: run.id, startedAt, expiresAt: new Date(now.getTime() + ttlMs) };
}

export function isActive(lease: Lease | undefined, now: Date): lease is Lease {
  return lease !== undefined && lease.expiresAt.getTime() > now.getTime();
}

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** `opik-evaluate:lease:<run>:<started>-<expires>` in Unix seconds: short enough for a tag. */
export function leaseTag(lease: Lease): string {
  return `${LEASE_TAG_PREFIX}${lease.runId}:${seconds(lease.startedAt)}-${seconds(lease.expiresAt)}`;
}

export function readLeaseTag(tags: readonly string[]): Lease | undefined {
  for (const tag of tags) {
    if (!tag.startsWith(LEASE_TAG_PREFIX)) continue;
    const match = /^([\w.-]+):(\d+)-(\d+)$/.exec(tag.slice(LEASE_TAG_PREFIX.length));
    if (match) return { runId: match[1] ?? "", startedAt: new Date(Number(match[2]) * 1000), expiresAt: new Date(Number(match[3]) * 1000) };
  }
  return undefined;
}

/** The tags with this run's lease in place of any earlier one (or with none when `lease` is undefined). */
export function withLeaseTag(tags: readonly string[], lease: Lease | undefined): string[] {
  const kept = tags.filter((tag) => !tag.startsWith(LEASE_TAG_PREFIX));
  return lease ? [...kept, leaseTag(lease)] : kept;
}

export function describeLease(lease: Lease): string {
  return `run ${lease.runId} (started ${lease.startedAt.toISOString()}, lease until ${lease.expiresAt.toISOString()})`;
}
