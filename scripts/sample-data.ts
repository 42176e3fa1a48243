/**
 * Realistic sample traces for the demo, the end-to-end tests and the benchmark:
 * a seeded generator, so each test can draw a data set no code was tuned on,
 * and the expected counts come from how the data was made, not from the action.
 */
import { createUuidV7 } from "opik-local-server";

/** How many spans of each kind a sample holds. */
export type SampleCounts = Pick<SampleOptions, "fresh" | "alreadyAdded" | "prose" | "errorTraces" | "otherNames" | "otherTypes" | "outsideWindow">;

/** No spans of any kind: spread it, then set the kinds a sample needs. */
export const NO_SPANS: SampleCounts = { fresh: 0, alreadyAdded: 0, prose: 0, errorTraces: 0, otherNames: 0, otherTypes: 0, outsideWindow: 0 };

export interface SampleOptions {
  project: string;
  spanName: string;
  now: Date;
  lookbackHours: number;
  seed: number;
  /** Harvestable spans: in the window, the right name and type, not yet added. */
  fresh: number;
  alreadyAdded: number;
  /** Traces whose output merely mentions errors in prose: they must survive cleanup. */
  prose: number;
  errorTraces: number;
  otherNames: number;
  otherTypes: number;
  outsideWindow: number;
}

export interface SampleExpectation {
  totalTraces: number;
  errorTraces: number;
  errorPatterns: Record<string, number>;
  errorTraceIds: string[];
  proseTraceIds: string[];
  spansFound: number;
  newSpanIds: string[];
}

type Json = Record<string, unknown>;

export interface Sample {
  traces: Json[];
  spans: Json[];
  addedSpanIds: string[];
  expected: SampleExpectation;
}

/** Mulberry32: small, seeded, good enough to vary test data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHARTERS = [
  "Members shall meet every first Monday; quorum is half of the members.",
  "The treasurer reports the accounts at each general assembly.",
  "Any member may propose an amendment in writing two weeks ahead.",
  "The board is elected for two years and may be re-elected once.",
  "Dues are set yearly by the general assembly.",
];

const ERROR_CASES: Array<{ pattern: string; kind: "error_info" | "output"; text: string }> = [
  { pattern: "retries exhausted", kind: "error_info", text: "LLM call failed: retries exhausted after 3 attempts" },
  { pattern: "rate limit", kind: "output", text: "429 Too Many Requests: rate limit reached for gpt-4o-mini" },
  { pattern: "validation error", kind: "output", text: "1 validation error for Verdict: field required" },
  { pattern: "timeout", kind: "error_info", text: "ReadTimeout: upstream timeout after 60s" },
  { pattern: "failed", kind: "output", text: "Tool call failed with status 502" },
  { pattern: "error", kind: "error_info", text: "KeyError: 'verdict'" },
];

const PROSE = [
  { answer: "The earlier attempt failed because the charter was missing, but this review is complete.", verdict: "valid" },
  { error: null, verdict: "valid", notes: "no issues" },
  { verdict: "valid", notes: "An errorless charter: no timeout or rate limit concerns." },
  { verdict: "invalid", notes: "Article 4 has a validation error in its wording; flagged for the board." },
];

export function buildSample(options: SampleOptions): Sample {
  const random = rng(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const windowMs = options.lookbackHours * 3600_000;
  // Keep clear of the window's edges, so a few seconds between seeding and running change nothing.
  const inWindow = (): Date => new Date(options.now.getTime() - 60_000 - random() * (windowMs - 5 * 60_000));
  const beforeWindow = (): Date => new Date(options.now.getTime() - windowMs - 3600_000 - random() * windowMs);

  const traces: Json[] = [];
  const spans: Json[] = [];
  const addedSpanIds: string[] = [];
  const expected: SampleExpectation = {
    totalTraces: 0,
    errorTraces: 0,
    errorPatterns: {},
    errorTraceIds: [],
    proseTraceIds: [],
    spansFound: 0,
    newSpanIds: [],
  };

  const add = (o: {
    start: Date;
    spanName: string;
    type: string;
    output: unknown;
    errorInfo?: Json;
    traceOutput?: unknown;
  }): { traceId: string; spanId: string } => {
    const traceId = createUuidV7();
    const spanId = createUuidV7();
    const charter = pick(CHARTERS);
    const input = {
      messages: [
        { role: "system", content: "You validate association charters. Reply with JSON {verdict, reason}." },
        { role: "user", content: charter },
      ],
    };
    const end = new Date(o.start.getTime() + 400 + Math.floor(random() * 2000));
    const traceStart = o.start.toISOString();
    traces.push({
      id: traceId,
      project_name: options.project,
      name: "charter_review",
      start_time: traceStart,
      end_time: end.toISOString(),
      input: { charter },
      output: o.traceOutput ?? o.output,
      ...(o.errorInfo ? { error_info: o.errorInfo } : {}),
    });
    const promptTokens = 80 + Math.floor(random() * 200);
    const completionTokens = 20 + Math.floor(random() * 80);
    spans.push({
      id: spanId,
      trace_id: traceId,
      project_name: options.project,
      name: o.spanName,
      type: o.type,
      start_time: traceStart,
      end_time: end.toISOString(),
      input,
      output: o.output,
      model: "gpt-4o-mini",
      provider: "openai",
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
      ...(o.errorInfo ? { error_info: o.errorInfo } : {}),
    });
    return { traceId, spanId };
  };

  const goodOutput = (): unknown => {
    const roll = random();
    const verdict = pick(["valid", "invalid", "needs_review"]);
    if (roll < 0.7) return { content: JSON.stringify({ verdict, reason: "Checked against the model charter." }) };
    if (roll < 0.85) return { content: `Here is my answer: {"verdict": "${verdict}"}` };
    return { content: "The charter looks fine to me." };
  };

  for (let i = 0; i < options.fresh; i += 1) {
    const { spanId } = add({ start: inWindow(), spanName: options.spanName, type: "llm", output: goodOutput() });
    expected.newSpanIds.push(spanId);
  }
  for (let i = 0; i < options.alreadyAdded; i += 1) {
    const { spanId } = add({ start: inWindow(), spanName: options.spanName, type: "llm", output: goodOutput() });
    addedSpanIds.push(spanId);
  }
  for (let i = 0; i < options.prose; i += 1) {
    const output = PROSE[i % PROSE.length];
    const { traceId, spanId } = add({ start: inWindow(), spanName: options.spanName, type: "llm", output });
    expected.proseTraceIds.push(traceId);
    expected.newSpanIds.push(spanId);
  }
  for (let i = 0; i < options.errorTraces; i += 1) {
    const errorCase = ERROR_CASES[i % ERROR_CASES.length] as (typeof ERROR_CASES)[number];
    const { traceId } =
      errorCase.kind === "error_info"
        ? add({
            start: inWindow(),
            spanName: options.spanName,
            type: "llm",
            output: null,
            errorInfo: { exception_type: "RuntimeError", message: errorCase.text, traceback: "Traceback (most recent call last): ..." },
          })
        : add({ start: inWindow(), spanName: options.spanName, type: "llm", output: { error: errorCase.text } });
    expected.errorTraceIds.push(traceId);
    expected.errorPatterns[errorCase.pattern] = (expected.errorPatterns[errorCase.pattern] ?? 0) + 1;
  }
  for (let i = 0; i < options.otherNames; i += 1) add({ start: inWindow(), spanName: "charter_summary", type: "llm", output: goodOutput() });
  for (let i = 0; i < options.otherTypes; i += 1) add({ start: inWindow(), spanName: options.spanName, type: pick(["general", "tool"]), output: goodOutput() });
  const inWindowTraces = traces.length;
  for (let i = 0; i < options.outsideWindow; i += 1) add({ start: beforeWindow(), spanName: options.spanName, type: "llm", output: goodOutput() });

  expected.totalTraces = inWindowTraces;
  expected.errorTraces = options.errorTraces;
  expected.spansFound = options.fresh + options.alreadyAdded + options.prose;
  return { traces, spans, addedSpanIds, expected };
}

async function post(url: string, method: "POST" | "PUT", body: unknown, headers: Record<string, string>): Promise<void> {
  const response = await fetch(url, { method, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${await response.text()}`);
}

/** Writes the sample through Opik's own ingestion endpoints, as an instrumented application would. */
export async function ingestSample(opikUrl: string, sample: Sample, headers: Record<string, string> = {}): Promise<void> {
  const base = opikUrl.replace(/\/$/, "");
  for (let i = 0; i < sample.traces.length; i += 1000)
    await post(`${base}/v1/private/traces/batch`, "POST", { traces: sample.traces.slice(i, i + 1000) }, headers);
  for (let i = 0; i < sample.spans.length; i += 1000) await post(`${base}/v1/private/spans/batch`, "POST", { spans: sample.spans.slice(i, i + 1000) }, headers);
  const project = sample.traces[0]?.project_name;
  const scores = sample.addedSpanIds.map((id) => ({ id, name: "added_to_dataset", value: 1, reason: "earlier-dataset", source: "sdk", project_name: project }));
  for (let i = 0; i < scores.length; i += 1000) await post(`${base}/v1/private/spans/feedback-scores`, "PUT", { scores: scores.slice(i, i + 1000) }, headers);
}
