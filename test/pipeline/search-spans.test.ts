import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSample, ingestSample, type Sample } from "../../scripts/sample-data.js";
import { createOpikGateway } from "../../src/opik/opik-sdk-gateway.js";
import { startOpikServer, type OpikServer } from "opik-local-server";
import { NOT_YET_ADDED, type SpanQuery, selectNewSpans } from "../../src/pipeline/search-spans.js";

const SPAN_NAME = "charter_validation";
const NOW = new Date();
const WINDOW = { start: new Date(NOW.getTime() - 24 * 3600_000), end: NOW };
const QUERY: SpanQuery = { spanName: SPAN_NAME, window: WINDOW };

let server: OpikServer;
let projectCounter = 0;

beforeAll(async () => {
  server = await startOpikServer();
});
afterAll(async () => server.close());

/** A project with mostly already-added spans, as after many runs; the seed is printed so a failure can be replayed. */
async function seedProject(fresh: number, alreadyAdded: number, reshape?: (sample: Sample) => void): Promise<{ project: string; sample: Sample }> {
  projectCounter += 1;
  const project = `search-${projectCounter}`;
  const seed = Math.floor(Math.random() * 2 ** 31);
  console.info(`${project}: sample seed ${seed}`);
  const sample = buildSample({
    project,
    spanName: SPAN_NAME,
    now: NOW,
    lookbackHours: 24,
    seed,
    fresh,
    alreadyAdded,
    prose: 0,
    errorTraces: 0,
    otherNames: 7,
    otherTypes: 5,
    outsideWindow: 6,
  });
  reshape?.(sample);
  await ingestSample(server.url, sample);
  return { project, sample };
}

/** Bytes the server sent for span reads since `since`, and the bodies of the span searches. */
function spanReads(since: number): { bytes: number; searches: Array<{ filters: unknown[] }>; pages: Array<Record<string, string>> } {
  const requests = server.requests.slice(since);
  const searches = requests.filter((r) => r.path === "/v1/private/spans/search");
  const pages = requests.filter((r) => r.method === "GET" && r.path === "/v1/private/spans");
  return {
    bytes: [...searches, ...pages].reduce((sum, r) => sum + r.responseBytes, 0),
    searches: searches.map((r) => r.body as { filters: unknown[] }),
    pages: pages.map((r) => r.query),
  };
}

/** The largest span row of the project, as a full-payload read renders it. */
async function largestSpanRow(project: string): Promise<number> {
  const response = await fetch(`${server.url}/v1/private/spans?project_name=${project}&size=1000`);
  const page = (await response.json()) as { content: unknown[] };
  return Math.max(...page.content.map((row) => Buffer.byteLength(JSON.stringify(row))));
}

describe("selectNewSpans on the real gateway and the embedded server", () => {
  it("asks Opik for the unmarked spans only, and counts the matching ones from a page total", async () => {
    const { project, sample } = await seedProject(12, 240);
    const opik = createOpikGateway({ url: server.url, apiKey: "", workspace: "default", project, evaluationProject: `${project}-evaluation` });
    const before = server.requests.length;

    const selection = await selectNewSpans(opik, QUERY, 1000);

    expect(selection.found).toBe(sample.expected.spansFound);
    expect(selection.selected.map((s) => s.id)).toEqual(sample.expected.newSpanIds);
    expect(selection).toMatchObject({ deferred: 0, sampledOut: 0 });

    const reads = spanReads(before);
    expect(reads.searches.length).toBeGreaterThan(0);
    for (const body of reads.searches) expect(body.filters).toContainEqual({ ...NOT_YET_ADDED });
    // Two counts of one truncated row each: the new spans first (no more than the run takes, so one search downloads
    // them whole), then the matching ones, marked spans included.
    expect(reads.pages).toHaveLength(2);
    for (const page of reads.pages) expect(page).toMatchObject({ project_name: project, page: "1", size: "1", truncate: "true" });
    expect(JSON.parse(reads.pages[0]?.filters ?? "[]")).toContainEqual({ ...NOT_YET_ADDED });
    expect(JSON.parse(reads.pages[1]?.filters ?? "[]")).not.toContainEqual(expect.objectContaining({ field: "feedback_scores" }));
    expect(reads.searches.every((body) => !("exclude" in body))).toBe(true);
    // What was downloaded grows with the 12 new spans (plus the count's row), not with the 252 matching ones.
    expect(reads.bytes).toBeLessThanOrEqual((sample.expected.newSpanIds.length + 1) * (await largestSpanRow(project)) + 1024);
  });

  it("keeps the oldest new spans up to the limit, leaves out excluded and unsampled ones, and counts the rest as deferred", async () => {
    const { project, sample } = await seedProject(30, 50);
    const opik = createOpikGateway({ url: server.url, apiKey: "", workspace: "default", project, evaluationProject: `${project}-evaluation` });
    const newIds = sample.expected.newSpanIds;
    const exclude = new Set([newIds[0] ?? "", newIds[7] ?? ""]);
    const candidates = newIds.filter((id) => !exclude.has(id));

    const limited = await selectNewSpans(opik, QUERY, 10, { exclude });
    expect(limited.found).toBe(sample.expected.spansFound);
    expect(limited.selected.map((s) => s.id)).toEqual(candidates.slice(0, 10));
    expect(limited.deferred).toBe(candidates.length - 10);

    const sampled = await selectNewSpans(opik, QUERY, 1000, { exclude, samplingRate: 0.5 });
    expect(sampled.found).toBe(sample.expected.spansFound);
    expect(sampled.selected.length + sampled.sampledOut).toBe(candidates.length);
    expect(sampled.selected.every((s) => candidates.includes(s.id))).toBe(true);
  });

  it("chooses among a backlog past the limit without payloads, then downloads those of the chosen spans only", async () => {
    const PROMPT_BYTES = 20_000;
    const { project, sample } = await seedProject(120, 20, (seeded) => {
      // Spans start in the order they were created, as in a live application, each with a large prompt.
      const order = new Map(seeded.expected.newSpanIds.map((id, index) => [id, index]));
      for (const span of seeded.spans) {
        const index = order.get(String(span.id));
        if (index === undefined) continue;
        span.start_time = new Date(WINDOW.start.getTime() + 3600_000 + index * 1000).toISOString();
        span.input = { prompt: `${index} ${"p".repeat(PROMPT_BYTES)}` };
      }
    });
    const opik = createOpikGateway({ url: server.url, apiKey: "", workspace: "default", project, evaluationProject: `${project}-evaluation` });
    const before = server.requests.length;

    const selection = await selectNewSpans(opik, QUERY, 10);

    // The same choice as one full search would make: the 10 oldest new spans, with their whole payloads.
    expect(selection.selected.map((s) => s.id)).toEqual(sample.expected.newSpanIds.slice(0, 10));
    expect(selection).toMatchObject({ found: sample.expected.spansFound, deferred: 110, sampledOut: 0 });
    selection.selected.forEach((span, index) => expect((span.input as { prompt: string }).prompt).toBe(`${index} ${"p".repeat(PROMPT_BYTES)}`));

    const reads = spanReads(before);
    const excluded = (reads.searches[0] as { exclude?: string[] }).exclude ?? [];
    for (const field of ["input", "output", "metadata", "usage"]) expect(excluded).toContain(field);
    const bounds = (reads.searches.at(-1)?.filters as Array<{ field: string; operator: string; value: string }>).filter(
      (f) => f.field === "start_time" && f.operator === "<",
    );
    const bound = bounds.at(-1);
    // The download's bound is the newest chosen span's start, to the next millisecond, not the window's end.
    expect(bound?.value).toBe(new Date(Date.parse(String(selection.selected.at(-1)?.startTime)) + 1).toISOString());
    // About 10 prompts' worth, where a single full search would download all 120.
    expect(reads.bytes).toBeLessThan(12 * PROMPT_BYTES + 120 * 2_000);
  });

  it("applies the user's filter on Opik's side, to the search and to the count", async () => {
    const { project, sample } = await seedProject(8, 20);
    const opik = createOpikGateway({ url: server.url, apiKey: "", workspace: "default", project, evaluationProject: `${project}-evaluation` });
    // Every sample span has 80-279 prompt tokens: the filter keeps those with more than 180.
    const extraFilters = [{ field: "usage.prompt_tokens", operator: ">" as const, value: "180" }];
    const tokens = new Map(sample.spans.map((s) => [String(s.id), (s.usage as { prompt_tokens: number }).prompt_tokens]));
    const added = new Set(sample.addedSpanIds);
    const big = (id: string) => (tokens.get(id) ?? 0) > 180;
    const before = server.requests.length;

    const selection = await selectNewSpans(opik, { ...QUERY, extraFilters }, 1000);

    expect(selection.found).toBe([...sample.expected.newSpanIds, ...added].filter(big).length);
    expect(selection.selected.map((s) => s.id)).toEqual(sample.expected.newSpanIds.filter(big));
    const reads = spanReads(before);
    for (const body of reads.searches) expect(body.filters).toContainEqual(extraFilters[0]);
    expect(JSON.parse(reads.pages[0]?.filters ?? "[]")).toContainEqual(extraFilters[0]);
  });

  it("falls back to filtering here when an older Opik rejects the feedback-score filter, and says so", async () => {
    const { project, sample } = await seedProject(6, 30);
    const opik = createOpikGateway({ url: server.url, apiKey: "", workspace: "default", project, evaluationProject: `${project}-evaluation` });
    const rejection = { code: 400, message: "Invalid operator 'is_empty' for field 'feedback_scores' of type 'FEEDBACK_SCORES_NUMBER'" };
    const warnings: string[] = [];
    const log = { warning: (message: string) => warnings.push(message) };

    server.injectFault({ method: "POST", path: "/v1/private/spans/search", status: 400, times: 1, body: rejection });
    const selection = await selectNewSpans(opik, QUERY, 1000, { log });
    expect(selection.found).toBe(sample.expected.spansFound);
    expect(selection.selected.map((s) => s.id)).toEqual(sample.expected.newSpanIds);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("added_to_dataset");
    server.clearFaults();

    // A 400 on the plain search too is the user's filter at fault: its error stands, without the fallback's warning.
    warnings.length = 0;
    server.injectFault({ method: "POST", path: "/v1/private/spans/search", status: 400, times: 2, body: { code: 400, message: "Invalid value" } });
    await expect(selectNewSpans(opik, QUERY, 1000, { log })).rejects.toThrow(/span search failed.*Invalid value/s);
    expect(warnings).toEqual([]);
    server.clearFaults();
  });

  it("finds nothing in a project that does not exist, without failing, so the caller can name it", async () => {
    const opik = createOpikGateway({
      url: server.url,
      apiKey: "",
      workspace: "default",
      project: "no-such-project",
      evaluationProject: "no-such-project-evaluation",
    });
    expect(await selectNewSpans(opik, QUERY, 10)).toEqual({ found: 0, selected: [], deferred: 0, sampledOut: 0 });
    expect(await opik.projectExists()).toBe(false);
  });
});
