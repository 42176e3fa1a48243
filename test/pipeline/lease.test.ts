import { describe, expect, it } from "vitest";
import { derivedUuidV7, evaluationIds, uuidV7Millis } from "../../src/pipeline/derived-id.js";
import { isActive, leaseTag, readLeaseTag, withLeaseTag } from "../../src/pipeline/lease.js";

describe("derived ids", () => {
  it("are version 7 UUIDs carrying the given time, the same for the same key and different otherwise", () => {
    const millis = Date.parse("2026-11-29T03:00:00.123Z");
    const id = derivedUuidV7(millis, "dataset-item:a:b");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidV7Millis(id)).toBe(millis);
    expect(derivedUuidV7(millis, "dataset-item:a:b")).toBe(id);
    expect(derivedUuidV7(millis, "dataset-item:a:c")).not.toBe(id);
  });

  it("give an experiment item and its trace ids of their own, anchored at the experiment's time", () => {
    const experimentId = derivedUuidV7(1_800_000_000_000, "experiment");
    const ids = evaluationIds(experimentId, "0194d2a0-0000-7000-8000-000000000002");
    expect(ids.experimentItemId).not.toBe(ids.traceId);
    expect(uuidV7Millis(ids.traceId)).toBe(1_800_000_000_000);
    expect(evaluationIds(experimentId, "0194d2a0-0000-7000-8000-000000000002")).toEqual(ids);
  });
});

describe("leases on tags", () => {
  const lease = { runId: "4242.1.0a1b2c3d", startedAt: new Date("2026-11-29T03:00:00Z"), expiresAt: new Date("2026-11-29T03:10:00Z") };

  it("round-trip through a tag and replace an earlier lease", () => {
    expect(readLeaseTag(["opik-evaluate", leaseTag(lease)])).toEqual(lease);
    const tags = withLeaseTag(withLeaseTag(["opik-evaluate", "opik-evaluate:pending"], { ...lease, runId: "other" }), lease);
    expect(tags).toEqual(["opik-evaluate", "opik-evaluate:pending", leaseTag(lease)]);
    expect(withLeaseTag(tags, undefined)).toEqual(["opik-evaluate", "opik-evaluate:pending"]);
  });

  it("are active until they expire", () => {
    expect(isActive(lease, new Date("2026-11-29T03:09:59Z"))).toBe(true);
    expect(isActive(lease, new Date("2026-11-29T03:10:00Z"))).toBe(false);
    expect(isActive(undefined, new Date())).toBe(false);
  });
});
