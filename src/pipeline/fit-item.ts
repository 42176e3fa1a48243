import { OPIK_LIMITS } from "../constants.js";
import { jsonBytes } from "../opik/write-batches.js";

/**
 * An item that alone exceeds what one Opik request may carry would fail its
 * write on every run, and the pending dataset would never be finished. Such an
 * item is stored cut down instead: its longest strings are shortened to a
 * common length, each ending in a visible marker, until the whole fits.
 */

/** Bytes one item may take in a write: a request's budget less the room for its envelope. */
export const ITEM_BYTES = OPIK_LIMITS.requestBytes - OPIK_LIMITS.requestEnvelopeBytes;

/** Strings shorter than this are never cut, so ids, names and dates stay intact. */
const MIN_CUT_BYTES = 1024;
const MARKER_TAG = "truncated by opik-evaluate";
const MAX_ATTEMPTS = 6;

export interface Fitted<T> {
  value: T;
  truncated: boolean;
  /** Serialized size before and after. */
  originalBytes: number;
  bytes: number;
  /** The maxBytes it was fitted to. */
  limit: number;
}

interface Leaf {
  holder: Record<string, unknown> | unknown[];
  key: string | number;
  text: string;
  /** JSON bytes of the string, quotes and escapes included. */
  bytes: number;
}

/** The value unchanged when its JSON fits in maxBytes, else a copy cut down to fit. */
export function fitJson<T>(value: T, maxBytes: number = ITEM_BYTES): Fitted<T> {
  const text = JSON.stringify(value) ?? "null";
  const originalBytes = Buffer.byteLength(text, "utf8");
  if (originalBytes <= maxBytes) return { value, truncated: false, originalBytes, bytes: originalBytes, limit: maxBytes };

  const root = { value: JSON.parse(text) as unknown };
  const leaves = stringLeaves(root);
  let target = maxBytes;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    for (const leaf of leaves) setAt(leaf, leaf.text);
    cutLeaves(leaves, originalBytes - target);
    const bytes = jsonBytes(root.value);
    if (bytes <= maxBytes) return { value: root.value as T, truncated: true, originalBytes, bytes, limit: maxBytes };
    // The estimate ignores escapes in kept prefixes; aim lower by what it missed.
    target -= bytes - maxBytes + MIN_CUT_BYTES;
  }
  dropLargestMembers(root, maxBytes);
  return { value: root.value as T, truncated: true, originalBytes, bytes: jsonBytes(root.value), limit: maxBytes };
}

/** e.g. `Span 0193…: its dataset item (10,485,908 bytes) exceeds the 4,177,920 bytes one Opik request may carry; stored truncated …` */
export function truncationWarning(subject: string, what: string, fitted: Fitted<unknown>): string {
  return `${subject}: ${what} (${fitted.originalBytes.toLocaleString("en-US")} bytes) exceeds the ${fitted.limit.toLocaleString("en-US")} bytes one Opik request may carry; stored truncated to ${fitted.bytes.toLocaleString("en-US")} bytes, its longest texts ending in "…[${MARKER_TAG}: …]"`;
}

/** The marker that ends a cut string, e.g. `…[truncated by opik-evaluate: 5,242,880 → 1,000,000 bytes]`. */
export function truncationMarker(originalBytes: number, keptBytes: number): string {
  return `…[${MARKER_TAG}: ${originalBytes.toLocaleString("en-US")} → ${keptBytes.toLocaleString("en-US")} bytes]`;
}

/** Every string of the value long enough to cut, found without recursion (the value may be deep). */
function stringLeaves(root: { value: unknown }): Leaf[] {
  const leaves: Leaf[] = [];
  const stack: { holder: Record<string, unknown> | unknown[]; key: string | number }[] = [{ holder: root, key: "value" }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { holder, key } = next;
    const current = (holder as Record<string | number, unknown>)[key];
    if (typeof current === "string") {
      const bytes = jsonBytes(current);
      if (bytes > MIN_CUT_BYTES) leaves.push({ holder, key, text: current, bytes });
    } else if (Array.isArray(current)) {
      current.forEach((_, index) => stack.push({ holder: current, key: index }));
    } else if (typeof current === "object" && current !== null) {
      for (const child of Object.keys(current)) stack.push({ holder: current as Record<string, unknown>, key: child });
    }
  }
  return leaves;
}

/**
 * Shortens every leaf longer than a common cap C (marker included) to C bytes,
 * with C the largest cap that removes at least `excess` bytes.
 */
function cutLeaves(leaves: readonly Leaf[], excess: number): void {
  const savedAt = (cap: number): number => leaves.reduce((sum, leaf) => sum + Math.max(0, leaf.bytes - cap), 0);
  let low = MIN_CUT_BYTES;
  let high = leaves.reduce((max, leaf) => Math.max(max, leaf.bytes), MIN_CUT_BYTES);
  if (savedAt(low) < excess) high = low;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (savedAt(mid) >= excess) low = mid;
    else high = mid - 1;
  }
  const cap = low;
  for (const leaf of leaves) {
    if (leaf.bytes <= cap) continue;
    const original = Buffer.byteLength(leaf.text, "utf8");
    const markerBound = Buffer.byteLength(truncationMarker(original, original), "utf8");
    const kept = prefixWithin(leaf.text, Math.max(0, cap - markerBound - 2));
    setAt(leaf, kept + truncationMarker(original, Buffer.byteLength(kept, "utf8")));
  }
}

/** The longest prefix whose JSON string body (without quotes) takes at most `budget` bytes. */
function prefixWithin(text: string, budget: number): string {
  const plain = jsonBytes(text) === text.length + 2;
  let length: number;
  if (plain) {
    length = Math.min(text.length, budget);
  } else {
    let low = 0;
    let high = text.length;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (jsonBytes(text.slice(0, mid)) - 2 <= budget) low = mid;
      else high = mid - 1;
    }
    length = low;
  }
  // Never split a surrogate pair.
  const last = text.charCodeAt(length - 1);
  if (length > 0 && last >= 0xd800 && last <= 0xdbff) length -= 1;
  return text.slice(0, length);
}

/** Last resort when strings alone cannot make room (e.g. huge arrays of numbers): replace the largest members. */
function dropLargestMembers(root: { value: unknown }, maxBytes: number): void {
  const value = root.value;
  if (typeof value !== "object" || value === null) {
    root.value = truncationMarker(jsonBytes(value), 0);
    return;
  }
  const members = Object.entries(value as Record<string, unknown>)
    .map(([key, member]) => ({ key, bytes: jsonBytes(member) }))
    .filter((member) => member.bytes > MIN_CUT_BYTES)
    .sort((a, b) => b.bytes - a.bytes);
  for (const member of members) {
    if (jsonBytes(root.value) <= maxBytes) return;
    (value as Record<string, unknown>)[member.key] = truncationMarker(member.bytes, 0);
  }
  if (jsonBytes(root.value) > maxBytes) root.value = truncationMarker(jsonBytes(root.value), 0);
}

function setAt(leaf: Leaf, text: string): void {
  (leaf.holder as Record<string | number, unknown>)[leaf.key] = text;
}
