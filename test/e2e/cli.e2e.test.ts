import { spawn } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAction, type ActionRun } from "../../scripts/run-action.js";
import { DEMO_CONFIG, expectedOutputs, seedLocal } from "../../scripts/seed-local.js";
import { DESCRIPTIONS_OF_INPUTS } from "../../src/cli/input-descriptions.js";
import { DEFAULT_INPUTS } from "../../src/constants.js";
import { startOpikServer, type OpikServer } from "opik-local-server";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = path.join(ROOT, "dist", "cli", "index.js");
const SECRET = "opik-key-that-must-not-be-printed";

interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The bundled CLI as a user runs it: its own process, no runner variables, stdout a pipe. */
async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const home = await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-cli-test-"));
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: home, TMPDIR: home, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? -1));
  });
  return { exitCode, stdout, stderr };
}

/** What legitimately differs between two runs on two servers: names with times, ids, URLs and times. */
function normalize(markdown: string): string {
  return (
    markdown
      .replace(/\]\([^)]*\)/g, "](URL)")
      .replace(/https?:\/\/\S+/g, "URL")
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "ID")
      .replace(/\d{8}-\d{6}/g, "YYYYMMDD-HHMMSS")
      .replace(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?Z?)?/g, "TIME")
      // The trend charts label runs by month, day and minute: two runs a second apart can straddle a minute.
      .replace(/\b\d{2}-\d{2} \d{2}:\d{2}\b/g, "MM-DD HH:MM")
      .trim()
  );
}

/** The summary the CLI prints after its log. */
function printedSummary(stdout: string): string {
  const start = stdout.indexOf("──── Job summary ────");
  const end = stdout.lastIndexOf("\nResult JSON: ");
  expect(start, stdout).toBeGreaterThanOrEqual(0);
  return stdout.slice(start + "──── Job summary ────".length, end < 0 ? undefined : end);
}

const INPUTS = { config: DEMO_CONFIG, "task-provider": "replay", metrics: "output_format", mode: "harvest" };

let actionServer: OpikServer;
let cliServer: OpikServer;
let expected: Record<string, string>;
let action: ActionRun;

beforeAll(async () => {
  [actionServer, cliServer] = await Promise.all([startOpikServer(), startOpikServer()]);
  // The same traces, at the same times, in each server.
  const now = new Date();
  [expected] = await Promise.all([seedLocal(actionServer.url, { now }), seedLocal(cliServer.url, { now })]).then((samples) => samples.map(expectedOutputs));
  action = await runAction({ ...INPUTS, "opik-url": actionServer.url }, { workspace: ROOT });
});
afterAll(async () => {
  await Promise.all([actionServer.close(), cliServer.close()]);
});

describe("npx opik-evaluate (dist/cli/index.js)", () => {
  it("prints the same job summary as the action on the same data, and the result JSON's path", async () => {
    expect(action.exitCode, action.stdout).toBe(0);
    expect(action.outputs["spans-new"]).toBe(expected["spans-new"]);
    expect(action.summary).toContain("Opik evaluation: charter_optimization — success");

    const flags = Object.entries({ ...INPUTS, "opik-url": cliServer.url }).flatMap(([name, value]) => [`--${name}`, value]);
    const cli = await runCli(flags, { OPIK_API_KEY: SECRET });
    expect(cli.exitCode, `${cli.stdout}\n${cli.stderr}`).toBe(0);
    expect(normalize(printedSummary(cli.stdout))).toBe(normalize(action.summary));

    const resultPath = /^Result JSON: (.+)$/m.exec(cli.stdout)?.[1] ?? "";
    const result = JSON.parse(await readFile(resultPath, "utf8")) as { status: string; spans_new: number };
    expect(result).toMatchObject({ status: "success", spans_new: Number(expected["spans-new"]) });

    // A log for people: progress lines, no workflow commands, and never the key core asked the runner to mask.
    expect(cli.stdout).toMatch(new RegExp(`^${expected["spans-new"]}/${expected["spans-new"]} items evaluated`, "m"));
    expect(cli.stdout).not.toMatch(/^::/m);
    expect(cli.stdout + cli.stderr).not.toContain(SECRET);
  });

  it("lists every input as a flag with action.yml's description in --help", async () => {
    const help = await runCli(["--help"]);
    expect(help.exitCode).toBe(0);
    const flat = help.stdout.replace(/\s+/g, " ");
    for (const name of Object.keys(DEFAULT_INPUTS)) {
      expect(help.stdout).toContain(`--${name} VALUE`);
      expect(flat).toContain((DESCRIPTIONS_OF_INPUTS[name] ?? "").replace(/\s+/g, " "));
    }
  });

  it("exits 2 with a hint on an unknown flag, and 1 when the action would fail the step", async () => {
    const unknown = await runCli(["--opik-urll", "x"]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("--opik-urll");

    const invalid = await runCli([
      "--max-items",
      "many",
      "--opik-url",
      cliServer.url,
      "--span-name",
      "s",
      "--dataset-prefix",
      "d",
      "--task-provider",
      "replay",
    ]);
    expect(invalid.exitCode).toBe(1);
    expect(invalid.stdout).toMatch(/^error: Invalid configuration:\n\s+- --max-items: /m);
  });
});
