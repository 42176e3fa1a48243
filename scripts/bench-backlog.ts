/**
 * The benchmark's backlog case: far more new spans than max-items (a schedule that was paused, or traffic that
 * grew), so the run takes the oldest max-items of them. It measures the bytes of span reads the embedded Opik server
 * sent for the run, against what one full search of the new spans sends: the transfer a run would have if it
 * downloaded every new span's payload in order to keep the oldest.
 */
import type { OpikServer } from "opik-local-server";
import { NOT_YET_ADDED, matchingSpanFilters } from "../src/pipeline/search-spans.js";
import { SPAN_NAME, bytesSince, harvestRun, isSpanRead, kilobytes, searchBytes } from "./bench-transfer.js";
import { NO_SPANS, buildSample, ingestSample } from "./sample-data.js";

export interface BacklogCase {
  backlog: number;
  maxItems: number;
  payloadBytes: number;
}

export async function benchBacklog(opik: OpikServer, options: BacklogCase): Promise<Array<[string, string]>> {
  const project = "bench-backlog";
  const now = new Date();
  const window = { start: new Date(now.getTime() - 24 * 3600_000), end: now };
  const sample = buildSample({
    project,
    spanName: SPAN_NAME,
    now,
    lookbackHours: 24,
    seed: 11,
    ...NO_SPANS,
    fresh: options.backlog,
  });
  // Spans start in the order they were created, as in a live application, each with a payload of about payloadBytes.
  const order = new Map(sample.expected.newSpanIds.map((id, index) => [id, index]));
  for (const span of sample.spans) {
    const index = order.get(String(span.id)) ?? 0;
    span.start_time = new Date(window.start.getTime() + 3600_000 + index * 1000).toISOString();
    span.input = { messages: [{ role: "user", content: `Charter ${index}: ${"x".repeat(options.payloadBytes)}` }] };
  }
  await ingestSample(opik.url, sample);

  // What a single search of the new spans sends: every one with its payload.
  const fullBytes = await searchBytes(opik, project, [...matchingSpanFilters({ spanName: SPAN_NAME, window }), NOT_YET_ADDED]);

  const before = opik.requests.length;
  const run = await harvestRun(opik, project, options.maxItems);
  if (Number(run.result.spans_new) !== options.maxItems) {
    throw new Error(`expected the run to take ${options.maxItems} spans, it took ${String(run.result.spans_new)}`);
  }
  const runBytes = bytesSince(opik, before, isSpanRead);
  return [
    ["new spans / taken (max-items)", `${options.backlog} / ${options.maxItems}`],
    ["span payload", `~${options.payloadBytes} B`],
    ["one search of every new span with its payload", kilobytes(fullBytes)],
    ["span reads, this run", kilobytes(runBytes)],
    ["this run's span reads / one full search", (runBytes / fullBytes).toFixed(3)],
    ["span reads per span taken / payload", (runBytes / options.maxItems / options.payloadBytes).toFixed(2)],
  ];
}
