import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAction } from "../../scripts/run-action.js";
import { startOpikServer, type OpikServer } from "opik-local-server";
import { openAIErrorBody, startOpenAIServer, type OpenAIServer } from "../support/openai-server.js";
import { seedCharters } from "../support/e2e-fixtures.js";
import { opikReads } from "../support/opik-reads.js";

let opik: OpikServer;
let openai: OpenAIServer;
let workspace: string;

beforeAll(async () => {
  [opik, openai] = await Promise.all([startOpikServer(), startOpenAIServer()]);
  workspace = await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-eval-traces-"));
});
afterAll(async () => {
  await Promise.all([opik.close(), openai.close()]);
});

/** A project with `fresh` harvestable spans and `errorTraces` production error traces, from a printed seed. */
async function seedProject(
  name: string,
  fresh: number,
  errorTraces: number,
): Promise<{ project: string; productionTraceIds: string[]; errorTraceIds: string[] }> {
  const { project, sample } = await seedCharters(opik.url, name, { fresh, errorTraces });
  return { project, productionTraceIds: sample.traces.map((t) => String(t.id)), errorTraceIds: sample.expected.errorTraceIds };
}

const inputs = (project: string, extra: Record<string, string> = {}): Record<string, string> => ({
  "opik-url": opik.url,
  "opik-project": project,
  "span-name": "charter_validation",
  "dataset-prefix": "eval-traces",
  metrics: "output_format",
  "max-items": "1000",
  ...extra,
});

describe("the action's own evaluation traces", () => {
  it("go to <project>-evaluation by default: the harvested project keeps only its own traces", async () => {
    const { project, productionTraceIds } = await seedProject("separate", 7, 0);
    const run = await runAction(inputs(project, { "task-provider": "replay", "cleanup-errors": "false" }), { workspace });
    expect(run.exitCode, run.stdout).toBe(0);
    const experiment = run.result?.experiment_result as { experiment_name: string; experiment_id: string };

    const production = opikReads(opik.url, project);
    expect((await production.traces()).map((t) => t.id).sort()).toEqual([...productionTraceIds].sort());

    const evaluation = await opikReads(opik.url, `${project}-evaluation`).traces();
    expect(evaluation).toHaveLength(7);
    for (const trace of evaluation) {
      expect(trace).toMatchObject({ name: "evaluation_task", source: "experiment" });
      expect(trace.feedback_scores).toContainEqual(expect.objectContaining({ name: "output_format" }));
    }
    // Each experiment item points at one of those traces, so Opik's experiment view shows the outputs and scores.
    const items = await production.experimentItems({ name: experiment.experiment_name, id: experiment.experiment_id });
    expect(items.map((i) => i.trace_id).sort()).toEqual(evaluation.map((t) => t.id).sort());
  });

  it("go to the evaluation-project input's project when it is set", async () => {
    const { project } = await seedProject("named", 3, 0);
    const target = `${project}-evals-elsewhere`;
    const run = await runAction(inputs(project, { "task-provider": "replay", "cleanup-errors": "false", "evaluation-project": target }), { workspace });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(await opikReads(opik.url, target).traces()).toHaveLength(3);
    expect((await opikReads(opik.url, project).traces()).filter((t) => t.name === "evaluation_task")).toEqual([]);
  });

  it("are never deleted by Step 0, even in the harvested project and when their task failed", async () => {
    const { project, errorTraceIds } = await seedProject("cleanup", 9, 3);
    // Every third task call fails for good (400 is not retried), so some evaluation traces record an error.
    let calls = 0;
    openai.reply(() => {
      calls += 1;
      return calls % 3 === 0 ? { status: 400, body: openAIErrorBody(400, "Invalid request: error in the prompt") } : JSON.stringify({ verdict: "valid" });
    });
    const taskInputs = {
      "task-provider": "openai",
      "openai-api-key": "sk-test",
      "openai-base-url": openai.url,
      "evaluation-project": project,
      concurrency: "1",
    };
    const first = await runAction(inputs(project, taskInputs), { workspace });
    expect(first.result?.cleanup_result).toMatchObject({ error_traces: 3, deleted: 3 });
    for (const id of errorTraceIds) expect(await opikReads(opik.url, project).traceStatus(id)).toBe(404);
    const experiment = first.result?.experiment_result as { experiment_name: string; experiment_id: string };
    const evaluationTraces = (await opikReads(opik.url, project).traces()).filter((t) => t.name === "evaluation_task");
    expect(evaluationTraces).toHaveLength(9);
    expect(evaluationTraces.filter((t) => t.error_info)).toHaveLength(3);
    const productionTraces = (await opikReads(opik.url, project).traces()).length - evaluationTraces.length;

    const second = await runAction(inputs(project, taskInputs), { workspace });
    expect(second.result).toMatchObject({ status: "skipped", cleanup_result: { total_traces: productionTraces, error_traces: 0, deleted: 0 } });
    // Every experiment item still points at a trace: none was deleted under it.
    const items = await opikReads(opik.url, project).experimentItems({ name: experiment.experiment_name, id: experiment.experiment_id });
    expect(items).toHaveLength(9);
    for (const item of items) expect(await opikReads(opik.url, project).traceStatus(String(item.trace_id))).toBe(200);
  });
});
