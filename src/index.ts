import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

/**
 * The runner starts `node dist/index.js` with V8's default heap limits, sized
 * for a big machine: under the opik SDK's allocation churn the heap then grows
 * to several times what is live. Running the action in a worker with its own
 * limits keeps a 10,000-item run's memory flat; the old-generation cap is far
 * above what the action keeps live, so it bounds garbage, not work.
 */
const HEAP_LIMITS = { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 24 };

// Not `new URL(..., import.meta.url)`: the bundler would try to inline it.
const actionBundle = fileURLToPath(import.meta.url).replace(/index\.js$/, "run/index.js");
const worker = new Worker(actionBundle, { resourceLimits: HEAP_LIMITS });
// run() sets the step's outcome; the worker's exit code carries it to the process.
worker.on("exit", (code) => {
  process.exitCode = code;
});
worker.on("error", (error) => {
  process.stdout.write(`::error::The action crashed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
