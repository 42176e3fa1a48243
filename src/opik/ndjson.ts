/** Splits an NDJSON byte stream (Opik's search and stream endpoints) into parsed rows. */
export async function* readNdjson(stream: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buffered = "";
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      // Walk the chunk with a cursor and keep only the unfinished tail: re-slicing the
      // buffer after every line would copy a 2000-row page over and over.
      let start = 0;
      let newline: number;
      while ((newline = buffered.indexOf("\n", start)) >= 0) {
        const line = buffered.slice(start, newline).trim();
        start = newline + 1;
        if (line) yield JSON.parse(line) as unknown;
      }
      buffered = buffered.slice(start);
    }
    const rest = (buffered + decoder.decode()).trim();
    if (rest) yield JSON.parse(rest) as unknown;
  } finally {
    reader.releaseLock();
  }
}
