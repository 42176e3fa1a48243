import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { closedPort } from "../support/loopback-http.js";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runAction } from "../../scripts/run-action.js";
import type { Sample } from "../../scripts/sample-data.js";
import { seededRandom } from "../../src/gate/seeded-random.js";
import { startOpikServer, type OpikServer } from "opik-local-server";
import { makeWorkspace, seedCharters } from "../support/e2e-fixtures.js";
import { opikReads } from "../support/opik-reads.js";

const CLI = fileURLToPath(new URL("../../dist/cli/index.js", import.meta.url));
/** What the issue allows from start to exit for a run whose Opik is unreachable; the old runs took over 120 s. */
const UNREACHABLE_EXIT_BOUND_MS = 5_000;

let server: OpikServer;
let workspace: string;

beforeAll(async () => {
  server = await startOpikServer();
  workspace = await makeWorkspace("fail-ws");
});
afterAll(async () => server.close());
afterEach(() => server.clearFaults());

function seedProject(seed: number): Promise<{ project: string; sample: Sample }> {
  return seedCharters(
    server.url,
    "failures",
    { fresh: 6 + (seed % 5), alreadyAdded: 2, prose: 2, errorTraces: 3, otherNames: 2, otherTypes: 1, outsideWindow: 2 },
    seed,
  );
}

function inputs(project: string): Record<string, string> {
  return { "opik-url": server.url, "opik-project": project, "task-provider": "replay", "max-items": "1000" };
}

/** The run's dataset holds each new span once, and its one experiment one scored item per dataset item. */
async function expectNoDuplicates(project: string, sample: Sample, datasetName: string): Promise<void> {
  const reads = opikReads(server.url, project);
  const datasets = await reads.datasets("charter-optimization-");
  expect(datasets.map((d) => d.name)).toEqual([datasetName]);
  const items = await reads.datasetItems(datasetName);
  expect(items.map((i) => i.span_id).sort()).toEqual([...sample.expected.newSpanIds].sort());
  const experiments = (await reads.experiments("charter_validation-eval-")).filter((e) => e.dataset_id === datasets[0]!.id);
  expect(experiments).toHaveLength(1);
  const experimentItems = await reads.experimentItems({ name: String(experiments[0]!.name), id: String(experiments[0]!.id) });
  expect(experimentItems.map((i) => i.dataset_item_id).sort()).toEqual(items.map((i) => i.id).sort());
  for (const item of experimentItems) expect((item.feedback_scores as unknown[]).length).toBe(1);
}

describe("a run against an Opik that cannot be reached", () => {
  it("the action exits non-zero at once, naming the URL, the cause and the fix", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/api`;
    const run = await runAction({ "opik-url": url, "opik-project": "p", "task-provider": "replay" }, { workspace, timeoutMs: UNREACHABLE_EXIT_BOUND_MS });
    expect(run.timedOut, run.stdout).toBe(false);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`::error::Opik evaluation failed: Opik project lookup "p" failed at ${url}: connection refused: connect ECONNREFUSED`);
    expect(run.stdout).toContain("Check opik-url: a self-hosted Opik's URL ends in /api");
  }, 20_000);

  it("so does the CLI, in the CLI's words", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/api`;
    const home = await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-cli-fail-"));
    const child = spawn(
      process.execPath,
      [CLI, "--opik-url", url, "--opik-project", "p", "--task-provider", "replay", "--config", path.join(workspace, ".github", "opik-evaluate.yml")],
      {
        cwd: workspace,
        env: { PATH: process.env.PATH ?? "", HOME: home, TMPDIR: home },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), UNREACHABLE_EXIT_BOUND_MS);
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("close", (code, signal) => resolve({ code, signal })),
    );
    clearTimeout(killer);
    expect(exit, output).toEqual({ code: 1, signal: null });
    expect(output).toContain(`Opik project lookup "p" failed at ${url}: connection refused`);
    expect(output).toContain("Check --opik-url: a self-hosted Opik's URL ends in /api");
  }, 20_000);
});

describe("a run whose Opik drops connections", () => {
  it("ends in success without duplicates when 10-20% of Opik requests are reset", async () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    const rate = 0.1 + (seed % 11) / 100;
    console.log(`reset fault: seed ${seed}, rate ${rate}`);
    const { project, sample } = await seedProject(seed);
    const before = server.requests.length;
    server.injectFault({ method: "*", path: /./, reset: true, rate, random: seededRandom(seed) });
    const run = await runAction(inputs(project), { workspace });
    server.clearFaults();
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.result).toMatchObject({ status: "success", spans_new: sample.expected.newSpanIds.length, errors: [] });
    expect(server.requests.slice(before).some((r) => r.status === 0)).toBe(true);
    await expectNoDuplicates(project, sample, String(run.result!.dataset_name));
  }, 120_000);

  it("goes on when a create landed but answered 502, and its retry meets its own dataset and experiment", async () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    console.log(`create-lost-answer seed ${seed}`);
    const { project, sample } = await seedProject(seed);
    server.injectFault({ method: "POST", path: "/v1/private/datasets", status: 502, afterApplying: true, times: 1 });
    server.injectFault({ method: "POST", path: "/v1/private/experiments", status: 502, afterApplying: true, times: 1 });
    const before = server.requests.length;
    const run = await runAction(inputs(project), { workspace });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.result).toMatchObject({ status: "success" });
    const creates = server.requests
      .slice(before)
      .filter((r) => r.method === "POST" && (r.path === "/v1/private/datasets" || r.path === "/v1/private/experiments"));
    // The first dataset create is the harvest lock's: it meets its own marker and goes on to create the run's dataset.
    expect(creates.map((r) => `${r.path} ${r.status}`)).toEqual([
      "/v1/private/datasets 502",
      "/v1/private/datasets 409",
      "/v1/private/datasets 201",
      "/v1/private/experiments 502",
      "/v1/private/experiments 409",
    ]);
    await expectNoDuplicates(project, sample, String(run.result!.dataset_name));
  }, 120_000);
});
