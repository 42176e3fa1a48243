import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Sample } from "../../scripts/sample-data.js";
import { startOpikServer, type OpikServer } from "opik-local-server";
import { charterRegistry, makeWorkspace, seedCharters, type SampleCounts } from "../support/e2e-fixtures.js";
import { opikReads } from "../support/opik-reads.js";
import { ORIGINAL_JOB_KEYS } from "../support/original-job.js";
import { runAction } from "../../scripts/run-action.js";

let server: OpikServer;
let workspace: string;

beforeAll(async () => {
  server = await startOpikServer();
  workspace = await makeWorkspace("ws");
});
afterAll(async () => server.close());
afterEach(() => server.clearFaults());

/** Each test gets its own project and a data set drawn from a fresh seed. */
async function seedProject(overrides: Partial<SampleCounts> = {}): Promise<{ project: string; sample: Sample }> {
  return seedCharters(server.url, "charters", (seed) => ({
    fresh: 5 + (seed % 7),
    alreadyAdded: 2 + (seed % 3),
    prose: 4,
    errorTraces: 6 + (seed % 5),
    otherNames: 3,
    otherTypes: 2,
    outsideWindow: 3,
    ...overrides,
  }));
}

function inputs(project: string, extra: Record<string, string> = {}): Record<string, string> {
  return { "opik-url": server.url, "opik-project": project, "task-provider": "replay", "max-items": "1000", ...extra };
}

describe("the bundled action against the embedded Opik server", () => {
  it("reports the seed's fields and counts, deletes exactly the error traces, and a second run skips", async () => {
    const { project, sample } = await seedProject();
    const reads = opikReads(server.url, project);
    const run = await runAction(inputs(project), { workspace });
    expect(run.stderr).toBe("");
    expect(run.exitCode, run.stdout).toBe(0);
    const result = run.result!;

    expect(Object.keys(result).slice(0, ORIGINAL_JOB_KEYS.length)).toEqual(ORIGINAL_JOB_KEYS);
    expect(result).toMatchObject({
      status: "success",
      task_id: "task_opik_evaluate",
      experiment_type: "charter_optimization",
      max_items: 1000,
      lookback_hours: 24,
      metrics: ["output_format"],
      task_provider: "replay",
      cleanup_errors: true,
      cleanup_result: {
        project,
        total_traces: sample.expected.totalTraces,
        error_traces: sample.expected.errorTraces,
        deleted: sample.expected.errorTraces,
        error_patterns: sample.expected.errorPatterns,
      },
      spans_found: sample.expected.spansFound,
      spans_new: sample.expected.newSpanIds.length,
      errors: [],
      cleanup: { state: "done" },
      spans_counted: true,
    });
    expect(result.dataset_name).toMatch(/^charter-optimization-\d{8}-\d{6}$/);
    const experiment = result.experiment_result as {
      experiment_name: string;
      experiment_id: string;
      status: string;
      eval_results: Record<string, { count: number; failed: number; mean: number }>;
    };
    expect(experiment.status).toBe("success");
    expect(experiment.experiment_name).toBe(`charter_validation-eval-${String(result.dataset_name).slice(-15)}`);
    expect(experiment.eval_results.output_format).toMatchObject({ count: sample.expected.newSpanIds.length, failed: 0 });

    // Exactly the error traces are gone; prose that mentions errors stays.
    for (const id of sample.expected.errorTraceIds) expect(await reads.traceStatus(id)).toBe(404);
    for (const id of sample.expected.proseTraceIds) expect(await reads.traceStatus(id)).toBe(200);

    // One item per new span, each span marked in its project with the dataset's name.
    const items = await reads.datasetItems(String(result.dataset_name));
    expect(items.map((i) => i.span_id).sort()).toEqual([...sample.expected.newSpanIds].sort());
    for (const id of sample.expected.newSpanIds) {
      const span = await reads.span(id);
      expect(span.feedback_scores).toContainEqual(expect.objectContaining({ name: "added_to_dataset", value: 1, reason: result.dataset_name }));
    }

    // The experiment links every item to a trace carrying its score.
    const experimentItems = await reads.experimentItems({ name: experiment.experiment_name, id: experiment.experiment_id });
    expect(experimentItems).toHaveLength(items.length);
    for (const item of experimentItems) expect(item.feedback_scores).toContainEqual(expect.objectContaining({ name: "output_format" }));

    expect(run.outputs).toMatchObject({
      status: "success",
      "dataset-name": result.dataset_name,
      "experiment-name": experiment.experiment_name,
      "spans-found": String(sample.expected.spansFound),
      "spans-new": String(sample.expected.newSpanIds.length),
    });
    expect(run.summary).toContain("| `output_format` |");
    expect(run.summary).toContain(String(result.dataset_name));

    const rerun = await runAction(inputs(project), { workspace });
    expect(rerun.exitCode).toBe(0);
    expect(rerun.result).toMatchObject({
      status: "skipped",
      spans_new: 0,
      spans_found: sample.expected.spansFound,
      dataset_name: null,
      cleanup_result: { error_traces: 0, deleted: 0 },
    });
    expect(await reads.datasets("charter-optimization-")).toHaveLength(1);
  });

  it("fails instead of skipping when skip-if-empty is false", async () => {
    const { project } = await seedProject({ fresh: 0, prose: 0 });
    const run = await runAction(inputs(project, { "skip-if-empty": "false" }), { workspace });
    expect(run.exitCode).toBe(1);
    expect(run.result).toMatchObject({ status: "failed", spans_new: 0 });
    expect(run.stdout).toContain("::error::");
  });

  it("says so when the project does not exist, instead of skipping quietly, with cleanup on or off", async () => {
    for (const cleanup of ["true", "false"]) {
      const run = await runAction(inputs("no-such-project", { "cleanup-errors": cleanup }), { workspace });
      expect(run.exitCode).toBe(1);
      expect(run.result).toMatchObject({ status: "failed", spans_found: 0 });
      expect(run.result!.errors).toEqual([expect.stringContaining('opik-project: project "no-such-project" does not exist')]);
    }
  });

  it("downloads only the new spans' payloads: Opik leaves out the added ones, and the matching ones are counted, not fetched", async () => {
    const { project, sample } = await seedProject({ alreadyAdded: 300, errorTraces: 0 });
    const before = server.requests.length;
    const run = await runAction(inputs(project, { "cleanup-errors": "false" }), { workspace });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.result).toMatchObject({ status: "success", spans_found: sample.expected.spansFound, spans_new: sample.expected.newSpanIds.length });

    const requests = server.requests.slice(before);
    const searches = requests.filter(
      (r) => r.path === "/v1/private/spans/search" && ((r.body as { filters?: Array<{ field: string }> }).filters ?? []).some((f) => f.field === "name"),
    );
    expect(searches.length).toBeGreaterThan(0);
    for (const search of searches)
      expect((search.body as { filters: unknown[] }).filters).toContainEqual({
        field: "feedback_scores",
        key: "added_to_dataset",
        operator: "is_empty",
        value: "",
      });
    // One-row counts: the new spans (no more than max-items, so one search takes them whole), then the matching ones.
    const counts = requests.filter((r) => r.method === "GET" && r.path === "/v1/private/spans" && r.query.project_name === project);
    expect(counts.map((r) => r.query.size)).toEqual(["1", "1"]);

    // Bounded by the new spans' rows (plus the counts' rows), where the old search sent every matching span.
    const page = (await (await fetch(`${server.url}/v1/private/spans?project_name=${project}&size=1000`)).json()) as { content: unknown[] };
    const largestRow = Math.max(...page.content.map((row) => Buffer.byteLength(JSON.stringify(row))));
    const downloaded = [...searches, ...counts].reduce((sum, r) => sum + r.responseBytes, 0);
    expect(downloaded).toBeLessThanOrEqual((sample.expected.newSpanIds.length + 2) * largestRow + 1024);
  });

  it("caps a run at max-items and takes the rest on the next run, without duplicates", async () => {
    const { project, sample } = await seedProject({ fresh: 9, prose: 0, errorTraces: 0 });
    const reads = opikReads(server.url, project);
    const first = await runAction(inputs(project, { "max-items": "4", "cleanup-errors": "false" }), { workspace });
    expect(first.result).toMatchObject({
      status: "success",
      spans_new: 4,
      spans_found: sample.expected.spansFound,
      cleanup_result: null,
      cleanup: { state: "off" },
    });
    expect(first.summary).toContain("Error trace cleanup was off (`cleanup-errors: false`).");
    // Datasets are named to the second; make sure the next run's name differs.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await runAction(inputs(project, { "max-items": "4", "cleanup-errors": "false" }), { workspace });
    expect(second.result).toMatchObject({ status: "success", spans_new: 4 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const third = await runAction(inputs(project, { "max-items": "4", "cleanup-errors": "false" }), { workspace });
    expect(third.result).toMatchObject({ status: "success", spans_new: 1 });

    const spanIds: unknown[] = [];
    for (const run of [first, second, third]) spanIds.push(...(await reads.datasetItems(String(run.result!.dataset_name))).map((i) => i.span_id));
    expect(spanIds.sort()).toEqual([...sample.expected.newSpanIds].sort());
  });

  it.each([
    // Marks follow items: a span is marked only once its item is written, so these two faults leave no new mark.
    ["the dataset items write", "PUT", "/v1/private/datasets/items", "none"],
    ["the added_to_dataset marks", "PUT", "/v1/private/spans/feedback-scores", "none"],
    ["the experiment items write", "POST", "/v1/private/experiments/items", "all"],
    ["the evaluation spans write", "POST", "/v1/private/spans/batch", "all"],
    ["the experiment scores write", "PUT", "/v1/private/traces/feedback-scores", "all"],
  ] as const)(
    "recovers from a failure of %s: no span marked without its item, and a rerun finishes without duplicates",
    async (_what, method, faultPath, newMarks) => {
      const { project, sample } = await seedProject({ errorTraces: 2 });
      const reads = opikReads(server.url, project);
      server.injectFault({ method, path: faultPath, status: 503 });
      const failed = await runAction(inputs(project), { workspace });
      expect(failed.exitCode).toBe(1);
      expect(failed.result?.status).toBe("failed");

      const marked = new Set((await reads.spansMarked()).map((s) => s.id));
      const datasets = await reads.datasets("charter-optimization-");
      const itemsBefore = datasets.length ? await reads.datasetItems(String(datasets[0]!.name)) : [];
      const inDataset = new Set(itemsBefore.map((i) => i.span_id));
      for (const id of marked) if (!sample.addedSpanIds.includes(String(id))) expect(inDataset.has(id)).toBe(true);
      const newlyMarked = [...marked].map(String).filter((id) => !sample.addedSpanIds.includes(id));
      expect(newlyMarked.sort()).toEqual(newMarks === "none" ? [] : [...sample.expected.newSpanIds].sort());
      // A failed mark write leaves the items it follows in place, for the rerun to mark.
      if (faultPath === "/v1/private/spans/feedback-scores") expect([...inDataset].map(String).sort()).toEqual([...sample.expected.newSpanIds].sort());

      server.clearFaults();
      const rerun = await runAction(inputs(project), { workspace });
      expect(rerun.exitCode, rerun.stdout).toBe(0);
      expect(rerun.result?.status).toBe("success");
      const after = await reads.datasets("charter-optimization-");
      expect(after).toHaveLength(1);
      const items = await reads.datasetItems(String(after[0]!.name));
      expect(items.map((i) => i.span_id).sort()).toEqual([...sample.expected.newSpanIds].sort());
      // After the rerun every new span carries exactly one mark, naming the dataset that holds its item.
      for (const id of sample.expected.newSpanIds) {
        const marks = ((await reads.span(id)).feedback_scores as { name: string; reason?: string }[]).filter((s) => s.name === "added_to_dataset");
        expect(marks).toEqual([expect.objectContaining({ value: 1, reason: after[0]!.name })]);
      }
      const experiments = await reads.experiments("charter_validation-eval-");
      const ours = experiments.filter((e) => e.dataset_id === after[0]!.id);
      expect(ours).toHaveLength(1);
      const experimentItems = await reads.experimentItems({ name: String(ours[0]!.name), id: String(ours[0]!.id) });
      expect(experimentItems.map((i) => i.dataset_item_id).sort()).toEqual(items.map((i) => i.id).sort());
      for (const item of experimentItems) expect((item.feedback_scores as unknown[]).length).toBe(1);
      // Each evaluation trace holds its task and metric spans once, whichever write failed the first run.
      const evaluation = opikReads(server.url, `${project}-evaluation`);
      for (const item of experimentItems) {
        const spans = await evaluation.traceSpans(String(item.trace_id));
        expect(spans.map((s) => s.name).sort()).toEqual(["llm_task", "metrics_calculation", "output_format"]);
      }

      const again = await runAction(inputs(project), { workspace });
      expect(again.result?.status).toBe("skipped");
    },
  );

  it.each([
    [{ "max-items": "many" }, "max-items: expected a whole number"],
    [{ "task-provider": "claude" }, "task-provider: expected one of gemini, openai, ollama, replay"],
    [{ metrics: "hallucination" }, "judge-provider: required because metrics include hallucination"],
    [{ "task-provider": "openai" }, "openai-api-key: required because task-provider is openai"],
    [{ "date-string": "2026-01-01" }, "date-string: expected a date as YYYYMMDD"],
    [{ "experiment-type": "unknown_feature" }, 'experiment-type: "unknown_feature" is not a feature'],
    [{ config: "missing.yml" }, "config: file missing.yml not found"],
  ])("rejects %j with a clear error before any Opik call, and publishes the problems", async (bad, message) => {
    const before = server.requests.length;
    const run = await runAction({ ...inputs("any-project"), ...bad }, { workspace });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(message);
    expect(server.requests.length).toBe(before);
    // The step's outputs and summary say what went wrong, as for any failed run.
    expect(run.outputs.status).toBe("failed");
    expect(run.outputs.verdict).toBe("error");
    expect(run.result).toMatchObject({ status: "failed", config_rejected: true, cleanup_result: null, experiment_result: null });
    expect((run.result!.errors as string[]).some((e) => e.includes(message))).toBe(true);
    expect(JSON.parse(await readFile(run.outputs["result-file"]!, "utf8"))).toEqual(run.result);
    expect(run.summary).toMatch(/^## ❌ Opik evaluation: .* — configuration rejected\n/);
    expect(run.summary).toContain(message);
    expect(run.summary).not.toContain("Spans found");
  });

  it("rejects a result-file in a directory that does not exist before any Opik call", async () => {
    const { project } = await seedProject({ fresh: 2, prose: 0, errorTraces: 1 });
    const before = server.requests.length;
    const run = await runAction(inputs(project, { "result-file": "no-such-dir/result.json" }), { workspace });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`result-file: directory ${path.join(workspace, "no-such-dir")} does not exist`);
    expect(server.requests.length).toBe(before);
    expect(run.outputs.status).toBe("failed");
    // The result goes where it can: the default location, which the output names.
    expect(path.basename(run.outputs["result-file"]!)).toBe("opik-evaluate-result.json");
  });

  it("names the file, byte offset and line of a config file that is not UTF-8, and the path of a directory in its place", async () => {
    await writeFile(
      path.join(workspace, "latin1.yml"),
      Buffer.concat([Buffer.from("features:\n  caf"), Buffer.from([0xe9]), Buffer.from(":\n    span_name: x\n")]),
    );
    await mkdir(path.join(workspace, "evals-dir.yml"), { recursive: true });
    const latin1 = await runAction({ ...inputs("any-project"), config: "latin1.yml" }, { workspace });
    expect(latin1.exitCode).toBe(1);
    expect(latin1.stdout).toContain("config: latin1.yml: not valid UTF-8: byte 0xe9 at offset 15 (line 2)");
    const directory = await runAction({ ...inputs("any-project"), config: "evals-dir.yml" }, { workspace });
    expect(directory.exitCode).toBe(1);
    expect(directory.stdout).toContain(`config: evals-dir.yml: is a directory (${path.join(workspace, "evals-dir.yml")})`);
    expect(directory.stdout).not.toContain("EISDIR");
    for (const run of [latin1, directory]) expect(run.result!.errors).toHaveLength(1);
  });

  it("reports a bad key in an existing config file alone, without the follow-ons of a missing file", async () => {
    await writeFile(path.join(workspace, "colour.yml"), `${charterRegistry()}    colour: blue\n`);
    const run = await runAction({ ...inputs("any-project"), "opik-project": "", config: "colour.yml" }, { workspace });
    expect(run.exitCode).toBe(1);
    expect(run.result!.errors).toEqual(['colour.yml: features.charter_optimization: Unrecognized key: "colour"']);
    expect(run.stdout).not.toContain("not found");
  });

  it("never prints a key it was given", async () => {
    const run = await runAction(
      { ...inputs("any-project"), "task-provider": "openai", "openai-api-key": "sk-secret-value-123", "max-items": "0" },
      { workspace },
    );
    expect(run.exitCode).toBe(1);
    // The runner reads ::add-mask:: and hides the value everywhere else in the log.
    const lines = run.stdout.split("\n");
    expect(lines).toContain("::add-mask::sk-secret-value-123");
    expect(lines.filter((line) => line.includes("sk-secret-value-123") && !line.startsWith("::add-mask::"))).toEqual([]);
    expect(run.stderr).not.toContain("sk-secret-value-123");
  });
});
