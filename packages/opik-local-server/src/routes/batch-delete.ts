import { Violations, optArray, requireBody } from "../body-reader.js";
import { unprocessableJson } from "../errors.js";
import { isUuid } from "../uuid-v7.js";

/** `BatchDelete` and friends: 1..1000 UUIDs, duplicates collapsed (a Java Set). */
export function readBatchDelete(rawBody: unknown, key: string): string[] {
  const body = requireBody(rawBody);
  const ids = optArray(body, key);
  const violations = new Violations();
  if (ids === undefined) violations.add(key, "must not be null");
  else if (ids.length < 1 || ids.length > 1000) violations.add(key, "size must be between 1 and 1000");
  violations.throwIfAny();
  return [
    ...new Set(
      (ids ?? []).map((id) => {
        if (!isUuid(id)) throw unprocessableJson();
        return id.toLowerCase();
      }),
    ),
  ];
}
