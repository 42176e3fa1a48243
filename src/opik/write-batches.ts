/**
 * Splits a write into requests Opik accepts: at most `maxCount` items (the
 * endpoint's maxItems) and at most `maxBytes` of serialized items per request.
 * An item larger than `maxBytes` on its own travels alone; fitting it is the
 * caller's job (see pipeline/fit-item.ts), so the request that fails names it.
 */
export interface BatchLimits {
  maxCount: number;
  maxBytes: number;
}

/** UTF-8 bytes of a value's JSON, as it travels in a request body. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "null", "utf8");
}

export function writeBatches<T>(items: readonly T[], limits: BatchLimits, measure: (item: T) => number = jsonBytes): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of items) {
    // The comma between array elements counts too.
    const bytes = measure(item) + 1;
    if (current.length > 0 && (current.length >= limits.maxCount || currentBytes + bytes > limits.maxBytes)) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
