#!/usr/bin/env node
/**
 * The command line: `npx opik-evaluate --opik-url … --task-provider …`, the
 * action's run() with a flag per input. Bundled to dist/cli/index.js (the
 * package's bin); ncc keeps this file's #! line.
 */
import { runCli } from "./cli/run-cli.js";
import { errorMessage } from "./errors.js";

/** How long the process may take to wind down after the run ended; see WIND_DOWN_MS in src/index.ts. */
const WIND_DOWN_MS = 1000;

void runCli(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
    setTimeout(() => process.exit(status), WIND_DOWN_MS).unref();
  },
  (error: unknown) => {
    process.stderr.write(`opik-evaluate: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  },
);
