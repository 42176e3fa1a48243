import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DirectoryCompletionStore, pruneCompletionStore } from "../adapters/directory-completion-store.js";
import { nodeDeps } from "../adapters/node-deps.js";
import { CACHE_MAX_BYTES } from "../constants.js";
import { runContext, runIdentity } from "../adapters/run-context.js";
import type { RawInputs } from "../config/raw-inputs.js";
import { evaluate } from "../core/evaluate.js";
import { errorMessage } from "../errors.js";
import { ACTION_INPUTS, parseCliArgs, resolveInputs } from "./cli-args.js";
import { helpText } from "./help-text.js";
import { errorLine, printedOutcome } from "./print-outcome.js";
import { createTerminalLogger } from "./terminal-logger.js";

/** Where the CLI keeps completions between runs: OPIK_EVALUATE_CACHE_DIR, else the user's cache folder. */
function cliCacheDirectory(env: NodeJS.ProcessEnv): string {
  return env.OPIK_EVALUATE_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "opik-evaluate", "completions");
}

/** Every input, as the runner would pass it: given ones trimmed, the others empty so their defaults apply. */
function rawInputs(given: Partial<RawInputs>): RawInputs {
  return Object.fromEntries(ACTION_INPUTS.map((name) => [name, (given[name] ?? "").trim()])) as RawInputs;
}

/** `opik-evaluate [--input value]...`: the core in this process; returns the exit status. */
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

  const stdout = (text: string): void => void process.stdout.write(text);
  const logger = createTerminalLogger(
    { write: stdout, isTTY: process.stdout.isTTY === true, columns: process.stdout.columns },
    { write: (text) => void process.stderr.write(text) },
  );
  try {
    const tempDir = process.env.RUNNER_TEMP ?? (await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-cli-")));
    const context = runContext(process.env, undefined);
    const raw = rawInputs(resolveInputs(args.inputs, process.env));
    const store = new DirectoryCompletionStore(cliCacheDirectory(process.env));
    const outcome = await evaluate(
      {
        raw,
        ...(process.env.GITHUB_EVENT_NAME ? { eventName: process.env.GITHUB_EVENT_NAME } : {}),
        runContext: context,
        run: runIdentity(process.env, context),
        tempDir,
      },
      { ...nodeDeps({ workspace: process.env.GITHUB_WORKSPACE ?? process.cwd(), log: logger }), completionStore: store },
    );
    if (store.written) await pruneCompletionStore(store.directory, CACHE_MAX_BYTES);
    await writeFile(outcome.resultFile, `${outcome.resultJson}\n`);
    logger.finish();
    stdout(printedOutcome(outcome, { verbose: args.verbose }));
    return outcome.exit.failed ? 1 : 0;
  } catch (error) {
    logger.finish();
    stdout(errorLine(errorMessage(error)));
    return 1;
  }
}
