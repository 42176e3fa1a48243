/**
 * Stream endpoints answer one JSON object per chunk, each ended by `\r\n`: the backend's
 * `ChunkedOutput<JsonNode>(JsonNode.class, "\r\n")` (Streamer), not a bare `\n`.
 */
export const NDJSON_DELIMITER = "\r\n";

export function toNdjson(rows: readonly unknown[]): string {
  return rows.map((row) => `${JSON.stringify(row)}${NDJSON_DELIMITER}`).join("");
}

export function parseNdjson(text: string): unknown[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as unknown);
}
