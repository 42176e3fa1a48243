import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { errorMessage } from "../errors.js";
import { run } from "../main.js";
import { OUTPUTS } from "../constants.js";
import { INPUT_NAMES, inputVariable, parseCliArgs, resolveInputs } from "./cli-args.js";
import { helpText } from "./help-text.js";
import { parseOutputFile } from "./output-file.js";
import { createTerminalLogger } from "./terminal-logger.js";
import { interceptStdout } from "./workflow-commands.js";

/** The runner's files the action writes to, in a directory of this run's own. */
async function runnerFiles(): Promise<{ dir: string; summary: string; output: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-cli-"));
  const files = { dir, summary: path.join(dir, "summary.md"), output: path.join(dir, "output.txt") };
  await Promise.all([writeFile(files.summary, ""), writeFile(files.output, "")]);
  return files;
}

/**
 * Sets the environment the runner would: one INPUT_* variable per given input
 * (others are removed, so a stray variable cannot change the run) and the files
 * for outputs and the job summary.
 */
function prepareEnvironment(env: NodeJS.ProcessEnv, inputs: Partial<Record<string, string>>, files: { dir: string; summary: string; output: string }): void {
  for (const name of INPUT_NAMES) {
    const value = inputs[name];
    if (value === undefined) delete env[inputVariable(name)];
    else env[inputVariable(name)] = value;
  }
  env.GITHUB_STEP_SUMMARY = files.summary;
  env.GITHUB_OUTPUT = files.output;
  env.RUNNER_TEMP ??= files.dir;
}

/** `opik-evaluate [--input value]...`: the action's run() in this process; returns the exit status. */
export async function runCli(argv: readonly string[]): Promise<number> {
  let args: ReturnType<typeof parseCliArgs>;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    process.stderr.write(`opik-evaluate: ${errorMessage(error)}\nRun opik-evaluate --help for the flags.\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(helpText());
    return 0;
  }

  const files = await runnerFiles();
  prepareEnvironment(process.env, resolveInputs(args.inputs, process.env), files);
  const stdout = process.stdout.write.bind(process.stdout);
  const terminal = { write: (text: string) => void stdout(text), isTTY: process.stdout.isTTY === true, columns: process.stdout.columns };
  const logger = createTerminalLogger(terminal, { write: (text) => void process.stderr.write(text) });
  const restore = interceptStdout({ verbose: args.verbose, folded: false }, (text) => {
    logger.clearBar();
    stdout(text);
  });
  try {
    await run({ logger });
  } finally {
    restore();
    logger.finish();
  }

  const summary = await readFile(files.summary, "utf8");
  const outputs = parseOutputFile(await readFile(files.output, "utf8"));
  if (summary.trim()) stdout(`\n──── Job summary ────\n\n${summary.trimEnd()}\n`);
  const resultFile = outputs[OUTPUTS.resultFile];
  if (resultFile) stdout(`\nResult JSON: ${resultFile}\n`);
  // core.setFailed marks the step failed by setting the process's exit code.
  return process.exitCode === 1 ? 1 : 0;
}
