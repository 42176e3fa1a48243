/**
 * `npm run local-action`: runs the action's TypeScript source (src/main.ts's
 * run()) under GitHub's own local runner, @github/local-action, against the
 * embedded Opik server seeded with the demo's traces, and checks it succeeds.
 *
 * local-action reads the inputs from a .env file, replaces @actions/core and
 * @actions/github with its stubs, and prints each output as a
 * `::set-output name=…::…` line; its setFailed only records the failure (the
 * process still exits 0), so success is judged from the outputs.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { errorMessage } from "../src/errors.js";
import { startOpikServer } from "opik-local-server";
import { DEMO_CONFIG, DEMO_NAMES, expectedOutputs, seedLocal } from "./seed-local.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const LOCAL_ACTION_BIN = path.join(ROOT, "node_modules", "@github", "local-action", "bin", "local-action.js");

export interface LocalActionRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** What the seeded data should produce (scripts/seed-local.ts). */
  expected: Record<string, string>;
}

/** local-action's setOutput stub logs each output on one line. */
export function parseSetOutputLines(stdout: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const match of stdout.matchAll(/^::set-output name=([^:]+)::(.*)$/gm)) {
    if (match[1]) outputs[match[1]] = match[2] ?? "";
  }
  return outputs;
}

function dotenv(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}\n`)
    .join("");
}

/** The variables a runner would set, none inherited: a CI job's own GITHUB_* or INPUT_* must not leak in. */
function childEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(INPUT_|GITHUB_|RUNNER_)/.test(name)) env[name] = value;
  }
  // local-action runs `npm exec tsx`: put this Node (24) first, whatever node the PATH has.
  env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`;
  env.FORCE_COLOR = "0";
  env.NO_COLOR = "1";
  return env;
}

function runProcess(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout ends npm, tsx and node together.
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
      reject(new Error(`local-action did not finish within ${timeoutMs / 1000} s\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? -1, stdout, stderr });
    });
  });
}

/** Starts and seeds a server, runs `local-action run . src/main.ts <.env>` on it, and stops the server. */
export async function runLocalAction(options: { timeoutMs?: number } = {}): Promise<LocalActionRun> {
  const server = await startOpikServer();
  try {
    const sample = await seedLocal(server.url);
    const dir = await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-local-action-"));
    const envFile = path.join(dir, ".env");
    const summaryFile = path.join(dir, "summary.md");
    await writeFile(summaryFile, "");
    await writeFile(
      envFile,
      dotenv({
        "INPUT_OPIK-URL": server.url,
        INPUT_CONFIG: DEMO_CONFIG,
        "INPUT_EXPERIMENT-TYPE": DEMO_NAMES.experimentType,
        "INPUT_TASK-PROVIDER": "replay",
        INPUT_METRICS: "output_format",
        INPUT_MODE: "harvest",
        GITHUB_WORKSPACE: ROOT,
        GITHUB_STEP_SUMMARY: summaryFile,
        GITHUB_EVENT_NAME: "workflow_dispatch",
        GITHUB_REPOSITORY: "octo/charters",
        RUNNER_TEMP: dir,
      }),
    );
    const run = await runProcess([LOCAL_ACTION_BIN, "run", ROOT, "src/main.ts", envFile], childEnvironment(), options.timeoutMs ?? 50_000);
    return { ...run, outputs: parseSetOutputLines(run.stdout), summary: await readFile(summaryFile, "utf8"), expected: expectedOutputs(sample) };
  } finally {
    await server.close();
  }
}

/** Why the run does not count as a success; empty when it does. */
export function localActionProblems(run: LocalActionRun): string[] {
  const problems: string[] = [];
  if (run.exitCode !== 0) problems.push(`local-action exited with ${run.exitCode}`);
  if (run.outputs.status !== "success") problems.push(`output status is ${JSON.stringify(run.outputs.status)}, expected "success"`);
  if (run.outputs["spans-new"] !== run.expected["spans-new"])
    problems.push(`output spans-new is ${run.outputs["spans-new"]}, expected ${run.expected["spans-new"]}`);
  if (!run.summary.includes("Opik evaluation")) problems.push("no job summary was written");
  for (const line of run.stdout.split("\n").filter((l) => l.startsWith("::error"))) problems.push(`the action reported ${line}`);
  return problems;
}

async function main(): Promise<void> {
  const run = await runLocalAction();
  const problems = localActionProblems(run);
  if (problems.length) {
    console.error(`${run.stdout}\n${run.stderr}\nlocal-action run failed:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    process.exitCode = 1;
    return;
  }
  console.log("──── Job summary (local-action) ────\n");
  console.log(run.summary.trim());
  console.log("\n──── Outputs ────\n");
  for (const [name, value] of Object.entries(run.outputs)) if (name !== "result-json") console.log(`${name}: ${value}`);
  console.log(`\nlocal-action ran src/main.ts to success: ${run.outputs["spans-new"]} spans in ${run.outputs["dataset-name"]}.`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(errorMessage(error));
    process.exitCode = 1;
  });
}
