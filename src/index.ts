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
/**
 * How long the worker may take to wind down once run() has published the
 * outcome. Nothing of the action's should still be pending then (a test proves
 * a failed run leaves nothing behind); this only bounds the wait should a
 * dependency leave a timer or socket open.
 */
const WIND_DOWN_MS = 1000;
let outcome: number | undefined;
// run() sets the step's outcome; the worker reports it, and its exit code carries it otherwise.
worker.on("message", (message: { outcome?: unknown }) => {
  if (typeof message.outcome !== "number") return;
  outcome = message.outcome;
  process.exitCode = outcome;
  setTimeout(() => void worker.terminate(), WIND_DOWN_MS).unref();
});
worker.on("exit", (code) => {
  process.exitCode = outcome ?? code;
});
worker.on("error", (error) => {
  process.stdout.write(`::error::The action crashed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
