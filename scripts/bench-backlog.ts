/**
 * The benchmark's backlog case: far more new spans than max-items (a schedule that was paused, or traffic that
 * grew), so the run takes the oldest max-items of them. It measures the bytes of span reads the embedded Opik server
 * sent for the run, against what one full search of the new spans sends: the transfer a run would have if it
 * downloaded every new span's payload in order to keep the oldest.
 */
import type { OpikServer } from "opik-local-server";
import { createOpikGateway } from "../src/opik/opik-sdk-gateway.js";
import { NOT_YET_ADDED, matchingSpanFilters } from "../src/pipeline/search-spans.js";
import { runAction } from "./run-action.js";
import { buildSample, ingestSample } from "./sample-data.js";

export interface BacklogCase {
  backlog: number;
  maxItems: number;
  payloadBytes: number;
}

const SPAN_NAME = "charter_validation";

const isSpanRead = (path: string): boolean => path === "/v1/private/spans/search" || path === "/v1/private/spans";

function bytesSince(opik: OpikServer, since: number): number {
  return opik.requests.slice(since).reduce((sum, r) => (isSpanRead(r.path) ? sum + r.responseBytes : sum), 0);
}

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} kB`;
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
    fresh: options.backlog,
    alreadyAdded: 0,
    prose: 0,
    errorTraces: 0,
    otherNames: 0,
    otherTypes: 0,
    outsideWindow: 0,
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
  const fullStart = opik.requests.length;
  const gateway = createOpikGateway({ url: opik.url, apiKey: "", workspace: "default", project, evaluationProject: `${project}-evaluation` });
  for await (const _ of gateway.searchSpans([...matchingSpanFilters({ spanName: SPAN_NAME, window }), NOT_YET_ADDED])) {
    // Only the bytes on the wire matter here.
  }
  const fullBytes = bytesSince(opik, fullStart);

  const before = opik.requests.length;
  const run = await runAction({
    "opik-url": opik.url,
    "opik-project": project,
    "span-name": SPAN_NAME,
    "dataset-prefix": "bench-backlog",
    "task-provider": "replay",
    metrics: "is_json",
    "max-items": String(options.maxItems),
  });
  if (run.exitCode !== 0 || run.result?.status !== "success") throw new Error(`the action failed:\n${run.stdout}\n${run.stderr}`);
  if (Number(run.result.spans_new) !== options.maxItems) {
    throw new Error(`expected the run to take ${options.maxItems} spans, it took ${String(run.result.spans_new)}`);
  }
  const runBytes = bytesSince(opik, before);
  return [
    ["new spans / taken (max-items)", `${options.backlog} / ${options.maxItems}`],
    ["span payload", `~${options.payloadBytes} B`],
    ["one search of every new span with its payload", kilobytes(fullBytes)],
    ["span reads, this run", kilobytes(runBytes)],
    ["this run's span reads / one full search", (runBytes / fullBytes).toFixed(3)],
    ["span reads per span taken / payload", (runBytes / options.maxItems / options.payloadBytes).toFixed(2)],
  ];
}
