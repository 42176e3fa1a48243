/** JSON values as they travel on the wire; the server never holds anything else. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Drops `undefined` members so responses omit absent fields, as the backend's NON_NULL Jackson mapper does. */
export function compact<T extends Record<string, unknown>>(record: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [key, value] of Object.entries(record) as [keyof T, T[keyof T]][]) {
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out;
}

/** Deep copy through JSON, so stored records never alias request bodies or responses. */
export function cloneJson<T extends JsonValue>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
