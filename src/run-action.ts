import { parentPort } from "node:worker_threads";
import { run } from "./main.js";

// The bundle the worker thread started by src/index.ts loads.
await run();
// The outcome is published: tell the launcher, which then need not wait for this thread to wind down.
parentPort?.postMessage({ outcome: typeof process.exitCode === "number" ? process.exitCode : 0 });
