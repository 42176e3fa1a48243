import { describe, expect, it } from "vitest";
import { HttpRouter } from "../src/http-router.js";
import { parseInstant } from "../src/instant.js";
import { lookupDictionary } from "../src/json-path.js";
import { containsLike, ilike } from "../src/like.js";
import { compareIds, createUuidV7, uuidV7Millis, uuidVersion } from "../src/uuid-v7.js";

describe("opik server building blocks", () => {
  it("mints UUIDv7 ids that sort in creation order, even within one millisecond", () => {
    const ids = Array.from({ length: 5000 }, () => createUuidV7());
    expect(ids.every((id) => uuidVersion(id) === 7 && /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(true);
    expect([...ids].sort(compareIds)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // The time is given, not read from the clock: ahead of every id above, so it is encoded as is.
    const at = Date.UTC(2100, 0, 1, 12, 0, 0, 123);
    expect(uuidV7Millis(createUuidV7(at))).toBe(at);
  });

  it("parses instants like java.time.Instant.parse and prints them like Instant.toString", () => {
    expect(parseInstant("2025-01-31T10:00:00Z")?.iso).toBe("2025-01-31T10:00:00Z");
    expect(parseInstant("2025-01-31T12:00:00+02:00")?.iso).toBe("2025-01-31T10:00:00Z");
    expect(parseInstant("2025-01-31T10:00:00.1Z")?.iso).toBe("2025-01-31T10:00:00.100Z");
    expect(parseInstant("2025-01-31T10:00:00.123456Z")?.iso).toBe("2025-01-31T10:00:00.123456Z");
    expect(parseInstant("2025-01-31T10:00:00.123456Z")?.millis).toBeCloseTo(Date.parse("2025-01-31T10:00:00.123Z") + 0.456, 6);
    for (const bad of ["2025-01-31", "2025-02-30T00:00:00Z", "2025-01-31 10:00:00Z", "2025-01-31T10:00:00", "1738317600000"]) {
      expect(parseInstant(bad), bad).toBeUndefined();
    }
  });

  it("treats % and _ as LIKE wildcards, case-insensitively, with backslash escapes", () => {
    expect(containsLike("Rate limit hit", "rate_limit")).toBe(true);
    expect(containsLike("a\nb", "a%b")).toBe(true);
    expect(containsLike("100% sure", "100\\%")).toBe(true);
    expect(containsLike("100 sure", "100\\%")).toBe(false);
    expect(ilike("Hello", "h_llo")).toBe(true);
    expect(ilike("Hello", "ello")).toBe(false);
  });

  it("reads dictionary keys as JSONPath the way the backend builds it", () => {
    const doc = { a: { b: 1 }, "x-y": "hyphen", "a.b": "flat", list: [{ v: true }], n: null };
    expect(lookupDictionary(doc, "a.b")).toEqual({ exists: true, text: "1" });
    expect(lookupDictionary(doc, "x-y")).toEqual({ exists: true, text: "hyphen" });
    expect(lookupDictionary(doc, "list[0].v")).toEqual({ exists: true, text: "true" });
    expect(lookupDictionary(doc, "$.list[*].v")).toEqual({ exists: true, text: "true" });
    expect(lookupDictionary(doc, "a")).toEqual({ exists: true, text: "" });
    expect(lookupDictionary(doc, "n")).toEqual({ exists: true, text: "null" });
    expect(lookupDictionary(doc, "missing")).toEqual({ exists: false, text: "" });
    expect(lookupDictionary({ "a.b": "flat" }, "a.b")).toEqual({ exists: true, text: "flat" });
  });

  it("routes literal segments before parameters and tells 404 from 405", () => {
    const router = new HttpRouter();
    router.get("/v1/private/datasets/{id}/items", () => ({ status: 200, body: "by dataset" }));
    router.get("/v1/private/datasets/items/{itemId}", () => ({ status: 200, body: "by item" }));
    router.query("/v1/private/datasets/items/stream", () => ({ status: 200 }));
    const byItem = router.resolve("GET", "/v1/private/datasets/items/abc");
    expect(byItem.kind === "found" && byItem.match.params).toEqual({ itemId: "abc" });
    const byDataset = router.resolve("GET", "/v1/private/datasets/abc/items");
    expect(byDataset.kind === "found" && byDataset.match.params).toEqual({ id: "abc" });
    expect(router.resolve("DELETE", "/v1/private/datasets/items/stream").kind).toBe("method-not-allowed");
    expect(router.resolve("GET", "/v1/private/nothing").kind).toBe("not-found");
  });
});
