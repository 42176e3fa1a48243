import { Opik } from "opik";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAction, type ActionRun } from "../../scripts/run-action.js";
import { buildSample, ingestSample, type Sample } from "../../scripts/sample-data.js";
import { LEASE_TAG_PREFIX, DATASET_TAG, PENDING_TAG } from "../../src/constants.js";
import { startOpikServer, type OpikServer } from "opik-local-server";
import { makeWorkspace, ONLY_FRESH } from "../support/e2e-fixtures.js";
import { opikReads } from "../support/opik-reads.js";

const SUITE = "charter-regressions";
const ASSERTIONS = ["The reply is a JSON object with a verdict", "The verdict is one of valid, invalid or needs_review"];
const BOUND = 0.5;

const registry = (maxPerRun: number): string => `
features:
  charter_optimization:
    span_name: charter_validation
    dataset_prefix: promote-charters
    experiment_prefix: promote
    metrics: [output_format]
    output_format:
      json_schema: { type: object, required: [verdict, reason], properties: { verdict: { enum: [valid, invalid, needs_review] }, reason: { type: string } } }
    test_suite:
      name: ${SUITE}
      promote: { output_format: { min: ${BOUND} } }
      assertions: ${JSON.stringify(ASSERTIONS)}
      execution_policy: { runs_per_item: 3, pass_threshold: 2 }
      max_per_run: ${maxPerRun}
`;

/** Recorded outputs from good to worst: valid JSON, JSON missing a key, JSON inside prose with a bad verdict, prose. */
const OUTPUTS = [
  { content: JSON.stringify({ verdict: "valid", reason: "Checked against the model charter." }) },
  { content: JSON.stringify({ verdict: "invalid" }) },
  { content: `Here it is: ${JSON.stringify({ verdict: "maybe" })}` },
  { content: "The charter looks fine to me." },
];

let server: OpikServer;
let projects = 0;

beforeAll(async () => {
  // The SDK builds an LLM judge object when it reads a suite's assertions back; it is never called.
  process.env.OPENAI_API_KEY ??= "not-used-by-these-tests";
  server = await startOpikServer();
});
afterAll(async () => server.close());

/** `count` new charter spans in `project`, their recorded outputs cycling through OUTPUTS from `offset`. */
async function seedSpans(project: string, count: number, offset: number): Promise<Sample> {
  const sample = buildSample({ project, spanName: "charter_validation", now: new Date(), lookbackHours: 24, seed: 7 + offset, ...ONLY_FRESH, fresh: count });
  sample.spans.forEach((span, index) => {
    (span as { output: unknown }).output = OUTPUTS[(index + offset) % OUTPUTS.length];
  });
  await ingestSample(server.url, sample);
  return sample;
}

function newProject(name: string): string {
  projects += 1;
  return `${name}-${projects}-${Date.now()}`;
}

const inputs = (project: string): Record<string, string> => ({
  "opik-url": server.url,
  "opik-project": project,
  "task-provider": "replay",
  "max-items": "1000",
});

/**
 * The spans a run should promote, worst first, read from what Opik recorded for its experiment: each item's
 * output_format score below the bound, the furthest below first, ties by span id.
 */
async function expectedPromotions(project: string, run: ActionRun): Promise<Array<{ spanId: string; value: number }>> {
  const reads = opikReads(server.url, project);
  const spanOf = new Map((await reads.datasetItems(String(run.result!.dataset_name))).map((item) => [item.id, String(item.span_id)]));
  const experiment = run.result!.experiment_result as { experiment_name: string; experiment_id: string };
  const scored = (await reads.experimentItems({ name: experiment.experiment_name, id: experiment.experiment_id })).map((item) => {
    const score = (item.feedback_scores as Array<{ name: string; value: number }>).find((s) => s.name === "output_format");
    return { spanId: spanOf.get(item.dataset_item_id)!, value: score!.value };
  });
  return scored.filter((s) => s.value < BOUND).sort((a, b) => a.value - b.value || (a.spanId < b.spanId ? -1 : 1));
}

/** The suite as the unmodified SDK reads it. */
async function readSuite(project: string) {
  const client = new Opik({ apiUrl: server.url, apiKey: "test-key", workspaceName: "default", projectName: project });
  const suite = await client.getTestSuite(SUITE, project);
  return {
    items: await suite.getItems(),
    assertions: await suite.getGlobalAssertions(),
    policy: await suite.getGlobalExecutionPolicy(),
    tags: await suite.getTags(),
  };
}

describe("a scheduled run promotes its failures to the feature's test suite", () => {
  it("adds exactly the items below the bound, once, across runs; a resumed run and a later run add nothing twice", async () => {
    const project = newProject("promote");
    const workspace = await makeWorkspace("promote", { ".github/opik-evaluate.yml": registry(100) });
    const first = await seedSpans(project, 8, 0);

    const run1 = await runAction(inputs(project), { workspace });
    expect(run1.exitCode, run1.stdout).toBe(0);
    const expected1 = await expectedPromotions(project, run1);
    // The outputs cycle through two failing shapes of four: the test would prove nothing without failures.
    expect(expected1.length).toBeGreaterThanOrEqual(2);
    const promoted1 = run1.result!.promoted as { suite_name: string; created: boolean; items: Array<{ span_id: string; trace_id: string; url: string }> };
    expect(promoted1).toMatchObject({ suite_name: SUITE, created: true, already_in_suite: 0, over_cap: 0, failed: null });
    expect(promoted1.items.map((item) => item.span_id)).toEqual(expected1.map((e) => e.spanId));
    expect(run1.outputs["promoted-count"]).toBe(String(expected1.length));

    let suite = await readSuite(project);
    expect(suite.assertions).toEqual(ASSERTIONS);
    expect(suite.policy).toEqual({ runsPerItem: 3, passThreshold: 2 });
    expect(suite.items.map((item) => item.data.source_span_id).sort()).toEqual(expected1.map((e) => e.spanId).sort());
    for (const item of suite.items) {
      const span = first.spans.find((s) => s.id === item.data.source_span_id) as { input: unknown; output: unknown; trace_id: string };
      const score = expected1.find((e) => e.spanId === item.data.source_span_id)!;
      expect(item.data).toMatchObject({
        input: span.input,
        context: span.output,
        source_trace_id: span.trace_id,
        source_span_name: "charter_validation",
        flagged_by: [{ metric: "output_format", value: score.value, min: BOUND }],
      });
      // Suite-level assertions and policy: the items carry none of their own.
      expect(item).toMatchObject({ assertions: [], executionPolicy: { runsPerItem: 3, passThreshold: 2 } });
      expect(item.description).toContain("output_format");
    }
    for (const item of promoted1.items) {
      expect(run1.summary).toContain(item.url);
      expect(item.trace_id).toBe((first.spans.find((s) => s.id === item.span_id) as { trace_id: string }).trace_id);
    }
    expect(run1.summary).toContain(`### Promoted to test suite [${SUITE}]`);
    expect(run1.summary).toContain(`${expected1.length} item(s) added, worst first (suite created by this run)`);

    // Someone removes a case from the suite in Opik: it is gone from the current version, but the suite held it.
    const client = new Opik({ apiUrl: server.url, apiKey: "test-key", workspaceName: "default", projectName: project });
    const removed = suite.items[0]!;
    await (await client.getTestSuite(SUITE, project)).delete([removed.id]);
    expect((await readSuite(project)).items).toHaveLength(expected1.length - 1);

    // The same dataset again, as a run that takes over an interrupted one: its items are flagged again and skipped,
    // the removed one included.
    const reads = opikReads(server.url, project);
    const dataset = (await reads.datasets(String(run1.result!.dataset_name)))[0]!;
    const now = Math.floor(Date.now() / 1000);
    await fetch(`${server.url}/v1/private/datasets/${String(dataset.id)}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: dataset.name,
        description: dataset.description,
        tags: [DATASET_TAG, PENDING_TAG, `${LEASE_TAG_PREFIX}gone:${now - 700}-${now - 60}`],
      }),
    });
    const resumed = await runAction(inputs(project), { workspace });
    expect(resumed.result).toMatchObject({ status: "success", resumed: true, dataset_name: run1.result!.dataset_name });
    expect(resumed.result!.promoted).toMatchObject({ created: false, items: [], already_in_suite: expected1.length });
    expect(resumed.outputs["promoted-count"]).toBe("0");
    expect(resumed.summary).toContain(`No new failures to promote (${expected1.length} flagged item(s) already in the suite)`);

    // New spans: the next run adds only its own failures.
    await seedSpans(project, 6, 1);
    const run2 = await runAction(inputs(project), { workspace });
    expect(run2.result!.dataset_name).not.toBe(run1.result!.dataset_name);
    const expected2 = await expectedPromotions(project, run2);
    expect(expected2.length).toBeGreaterThanOrEqual(1);
    expect((run2.result!.promoted as { items: Array<{ span_id: string }> }).items.map((item) => item.span_id)).toEqual(expected2.map((e) => e.spanId));
    expect(run2.result!.promoted).toMatchObject({ created: false, already_in_suite: 0 });

    suite = await readSuite(project);
    const spanIds = suite.items.map((item) => item.data.source_span_id);
    expect(spanIds).toHaveLength(new Set(spanIds).size);
    expect([...spanIds].sort()).toEqual(
      [...expected1, ...expected2]
        .map((e) => e.spanId)
        .filter((id) => id !== removed.data.source_span_id)
        .sort(),
    );
    expect(suite.assertions).toEqual(ASSERTIONS);
  }, 120_000);

  it("promotes at most max_per_run items, the worst first", async () => {
    const project = newProject("promote-cap");
    const workspace = await makeWorkspace("promote-cap", { ".github/opik-evaluate.yml": registry(2) });
    await seedSpans(project, 12, 0);
    const run = await runAction(inputs(project), { workspace });
    expect(run.exitCode, run.stdout).toBe(0);
    const expected = await expectedPromotions(project, run);
    expect(expected.length).toBeGreaterThan(2);
    expect(run.result!.promoted).toMatchObject({ over_cap: expected.length - 2 });
    const promoted = (run.result!.promoted as { items: Array<{ span_id: string }> }).items.map((item) => item.span_id);
    expect(promoted).toEqual(expected.slice(0, 2).map((e) => e.spanId));
    expect((await readSuite(project)).items.map((item) => item.data.source_span_id).sort()).toEqual([...promoted].sort());
    expect(run.summary).toContain(`${expected.length - 2} more flagged, left out by max_per_run`);
  }, 60_000);
});
