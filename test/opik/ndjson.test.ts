import { describe, expect, it } from "vitest";
import { readNdjson } from "../../src/opik/ndjson.js";

function streamOf(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function rowsOf(stream: ReadableStream<Uint8Array>): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const row of readNdjson(stream)) rows.push(row);
  return rows;
}

describe("readNdjson", () => {
  it("reads rows ended by \\r\\n, as Opik's stream endpoints send them, whatever the chunking", async () => {
    const rows = [{ id: "a", name: "Zoë ✓" }, { id: "b", input: { text: "line\nbreak" } }, { id: "c" }];
    const bytes = new TextEncoder().encode(rows.map((row) => `${JSON.stringify(row)}\r\n`).join(""));
    // One byte per chunk splits every row and the multi-byte characters between chunks.
    const byteChunks = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(await rowsOf(streamOf([bytes]))).toEqual(rows);
    expect(await rowsOf(streamOf(byteChunks))).toEqual(rows);
  });

  it("reads a last row without a line end and skips blank lines", async () => {
    const text = '{"id":"a"}\n\n  \r\n{"id":"b"}';
    expect(await rowsOf(streamOf([new TextEncoder().encode(text)]))).toEqual([{ id: "a" }, { id: "b" }]);
  });

  it("reads nothing from an empty body", async () => {
    expect(await rowsOf(streamOf([]))).toEqual([]);
  });

  it("throws on a row that is not JSON, and leaves the stream unlocked", async () => {
    const stream = streamOf([new TextEncoder().encode('{"id":"a"}\n{"id":\n')]);
    await expect(rowsOf(stream)).rejects.toThrow(SyntaxError);
    expect(stream.locked).toBe(false);
  });
});
