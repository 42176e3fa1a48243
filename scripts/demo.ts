/**
 * `npm run demo`: the whole action, offline. Starts the embedded Opik server,
 * seeds sample traces through Opik's ingestion endpoints, runs the bundled
 * action as the GitHub runner would, and prints its job summary and result.
 */
import { copyFile, mkdir, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startOpikServer } from "opik-local-server";
import { runAction } from "./run-action.js";
import { runSuiteDemo } from "./demo-suite.js";
import { DEMO_CONFIG, DEMO_NAMES, seedLocal } from "./seed-local.js";

const server = await startOpikServer();
try {
  const sample = await seedLocal(server.url);
  console.log(
    `Embedded Opik server at ${server.url}: seeded ${sample.traces.length} traces and ${sample.spans.length} spans (${sample.expected.errorTraces} error traces, ${sample.expected.newSpanIds.length} new ${DEMO_NAMES.spanName} spans)\n`,
  );

  // The workspace a repository would check out: the feature registry at its default path.
  const workspace = await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-demo-"));
  await mkdir(path.join(workspace, ".github"));
  await copyFile(fileURLToPath(new URL(`../${DEMO_CONFIG}`, import.meta.url)), path.join(workspace, ".github", "opik-evaluate.yml"));

  const run = await runAction({ "opik-url": server.url, "task-provider": "replay", "experiment-type": DEMO_NAMES.experimentType }, { workspace });
  console.log("──── Job summary (GITHUB_STEP_SUMMARY) ────\n");
  console.log(run.summary);
  console.log("──── result-json ────\n");
  console.log(JSON.stringify(run.result ?? null, null, 2));
  if (run.exitCode !== 0) {
    console.error(`\nThe action exited with ${run.exitCode}:\n${run.stdout}\n${run.stderr}`);
    process.exitCode = 1;
  } else {
    console.log(`\nThe action succeeded (status ${run.outputs.status}, gate ${run.outputs.verdict}).`);
  }

  // A pull request gated on an Opik test suite: replayed answers, a loopback judge, one failing assertion.
  const suiteRun = await runSuiteDemo(server.url, DEMO_NAMES.project, DEMO_NAMES.experimentType, workspace);
  console.log("\n──── Test suite gate: job summary ────\n");
  console.log(suiteRun.summary);
  if (suiteRun.exitCode !== 0) {
    console.error(`\nThe test suite run exited with ${suiteRun.exitCode}:\n${suiteRun.stdout}\n${suiteRun.stderr}`);
    process.exitCode = 1;
  } else {
    console.log(
      `\nThe suite gate: pass rate ${suiteRun.outputs["pass-rate"]} (${suiteRun.outputs["items-passed"]} passed, ${suiteRun.outputs["items-failed"]} failed), gate ${suiteRun.outputs.verdict}.`,
    );
  }
} finally {
  await server.close();
}
