import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const DIST_ENTRY = fileURLToPath(new URL("../dist/index.js", import.meta.url));

export interface ActionRun {
  exitCode: number;
  /** Whether the run was still going at options.timeoutMs and was killed. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** The parsed result-json output, when the action set it. */
  result?: Record<string, unknown> & { status: string };
}

/** Reads GITHUB_OUTPUT's `name<<delimiter` blocks the way the runner does. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? "";
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      for (i += 1; i < lines.length && lines[i] !== delimiter; i += 1) value.push(lines[i] ?? "");
      outputs[name] = value.join("\n");
    } else if (line.includes("=")) {
      const at = line.indexOf("=");
      outputs[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return outputs;
}

/**
 * Runs the bundled action as the GitHub runner does: `node dist/index.js` with
 * INPUT_* variables and the runner's files for outputs, summary and event.
 */
export async function runAction(
  inputs: Record<string, string>,
  options: { env?: Record<string, string>; workspace?: string; event?: { name: string; payload: unknown }; timeoutMs?: number } = {},
): Promise<ActionRun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-run-"));
  const outputFile = path.join(dir, "output.txt");
  const summaryFile = path.join(dir, "summary.md");
  const eventFile = path.join(dir, "event.json");
  await Promise.all([writeFile(outputFile, ""), writeFile(summaryFile, ""), writeFile(eventFile, JSON.stringify(options.event?.payload ?? {}))]);

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    RUNNER_TEMP: dir,
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: options.workspace ?? dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_EVENT_NAME: options.event?.name ?? "schedule",
    GITHUB_REPOSITORY: "octo/charters",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_RUN_ID: "4242",
    GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
    GITHUB_REF_NAME: "main",
    ...options.env,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value;

  const child = spawn(process.execPath, [DIST_ENTRY], { cwd: options.workspace ?? dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let timedOut = false;
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.kill("SIGKILL");
        }, options.timeoutMs);
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? -1));
  }).finally(() => clearTimeout(timer));

  const outputs = parseOutputFile(await readFile(outputFile, "utf8"));
  const summary = await readFile(summaryFile, "utf8");
  const resultJson = outputs["result-json"];
  return { exitCode, timedOut, stdout, stderr, outputs, summary, ...(resultJson ? { result: JSON.parse(resultJson) as ActionRun["result"] & object } : {}) };
}
