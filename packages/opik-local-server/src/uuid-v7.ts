import { v7 } from "uuid";

// Any version and variant, as java.util.UUID accepts: uuid's validate() would reject ids the backend takes.
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * UUIDv7 (RFC 9562). Without a time, uuid's generator keeps a counter so ids minted within the
 * same millisecond still sort in creation order: streams page by "id < last_retrieved_id".
 */
export function createUuidV7(now?: number): string {
  return now === undefined ? v7() : v7({ msecs: now });
}

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID_PATTERN.test(value);
}

export function uuidVersion(uuid: string): number {
  return Number.parseInt(uuid.charAt(14), 16);
}

/** Milliseconds since the epoch embedded in a UUIDv7. */
export function uuidV7Millis(uuid: string): number {
  return Number.parseInt(uuid.replaceAll("-", "").slice(0, 12), 16);
}

/** Ids compare as lower-case strings: for UUIDv7 that is creation order, like the backend's ORDER BY id. */
export function compareIds(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
