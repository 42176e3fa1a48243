/**
 * The benchmark's harvest-transfer case: a project where almost every matching
 * span is already in a dataset (20,000 matching, 50 new, ~1 kB payloads by
 * default), as a schedule every 30 minutes sees it. It measures the bytes the
 * embedded Opik server sent to the action, per new span.
 */
import { createOpikGateway } from "../src/opik/opik-sdk-gateway.js";
import type { OpikServer } from "opik-local-server";
import type { OpikFilter } from "../src/types.js";
import { matchingSpanFilters } from "../src/pipeline/search-spans.js";
import { runAction, type ActionRun } from "./run-action.js";
import { buildSample, ingestSample } from "./sample-data.js";

export interface TransferCase {
  matching: number;
  fresh: number;
  payloadBytes: number;
}

export const SPAN_NAME = "charter_validation";
const FILLER = "Article text continues with the usual provisions on membership, dues and meetings. ";

/** Lengthens the user message so that a span's input and output together serialize to about `bytes`. */
function padPayload(span: Record<string, unknown>, bytes: number): void {
  const messages = (span.input as { messages: Array<{ content: string }> }).messages;
  const last = messages[messages.length - 1];
  if (!last) return;
  const missing = bytes - JSON.stringify(span.input).length - JSON.stringify(span.output ?? null).length;
  if (missing > 0) last.content += FILLER.repeat(Math.ceil(missing / FILLER.length)).slice(0, missing);
}

export function bytesSince(opik: OpikServer, since: number, keep: (path: string) => boolean = () => true): number {
  return opik.requests.slice(since).reduce((sum, r) => (keep(r.path) ? sum + r.responseBytes : sum), 0);
}

export const isSpanRead = (path: string): boolean => path === "/v1/private/spans/search" || path === "/v1/private/spans";

export function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} kB`;
}

/** The bytes one span search with `filters` sends, every matching span with its payload. */
export async function searchBytes(opik: OpikServer, project: string, filters: OpikFilter[]): Promise<number> {
  const start = opik.requests.length;
  const gateway = createOpikGateway({ url: opik.url, apiKey: "", workspace: "default", project, evaluationProject: `${project}-evaluation` });
  for await (const _ of gateway.searchSpans(filters)) {
    // Only the bytes on the wire matter here.
  }
  return bytesSince(opik, start);
}

/** A scheduled run of the bundled action on the project (replay task, is_json), which must succeed. */
export async function harvestRun(opik: OpikServer, project: string, maxItems: number): Promise<ActionRun & { result: Record<string, unknown> }> {
  const run = await runAction({
    "opik-url": opik.url,
    "opik-project": project,
    "span-name": SPAN_NAME,
    "dataset-prefix": project,
    "task-provider": "replay",
    metrics: "is_json",
    "max-items": String(maxItems),
  });
  if (run.exitCode !== 0 || run.result?.status !== "success") throw new Error(`the action failed:\n${run.stdout}\n${run.stderr}`);
  return run as ActionRun & { result: Record<string, unknown> };
}

export async function benchTransfer(opik: OpikServer, options: TransferCase): Promise<Array<[string, string]>> {
  const project = "bench-transfer";
  const now = new Date();
  const sample = buildSample({
    project,
    spanName: SPAN_NAME,
    now,
    lookbackHours: 24,
    seed: 7,
    fresh: options.fresh,
    alreadyAdded: options.matching - options.fresh,
    prose: 0,
    errorTraces: 0,
    otherNames: 0,
    otherTypes: 0,
    outsideWindow: 0,
  });
  for (const span of sample.spans) padPayload(span, options.payloadBytes);
  await ingestSample(opik.url, sample);

  // What a search without the added_to_dataset filter sends: every matching span with its payload.
  const window = { start: new Date(now.getTime() - 24 * 3600_000), end: now };
  const unfilteredBytes = await searchBytes(opik, project, matchingSpanFilters({ spanName: SPAN_NAME, window }));

  const before = opik.requests.length;
  const run = await harvestRun(opik, project, 1000);
  const spansNew = Number(run.result.spans_new);
  if (run.result.spans_found !== options.matching || spansNew !== options.fresh) {
    throw new Error(`expected ${options.matching} spans found and ${options.fresh} new, the action reported ${String(run.result.spans_found)} and ${spansNew}`);
  }
  const runBytes = bytesSince(opik, before);
  const spanReadBytes = bytesSince(opik, before, isSpanRead);
  return [
    ["spans found / new", `${options.matching} / ${spansNew}`],
    ["span payload (input + output)", `~${options.payloadBytes} B`],
    ["span search without the added_to_dataset filter", kilobytes(unfilteredBytes)],
    ["span search and count, this run", kilobytes(spanReadBytes)],
    ["all Opik responses, this run", kilobytes(runBytes)],
    ["bytes downloaded per new span, span search and count", kilobytes(spanReadBytes / spansNew)],
    ["bytes downloaded per new span, whole run", kilobytes(runBytes / spansNew)],
  ];
}
