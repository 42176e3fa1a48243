import { run } from "./main.js";

// The bundle the worker thread started by src/index.ts loads.
await run();
