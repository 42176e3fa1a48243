/**
 * `npm run demo`: the whole action, offline. Starts the embedded Opik server,
 * seeds sample traces through Opik's ingestion endpoints, runs the bundled
 * action as the GitHub runner would, and prints its job summary and result.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startOpikServer } from "../src/opik-server/index.js";
import { runAction } from "./run-action.js";
import { buildSample, ingestSample } from "./sample-data.js";

const REGISTRY = `# The feature registry a repository keeps at .github/opik-evaluate.yml
project: charter-assistant
features:
  charter_optimization:
    span_name: charter_validation
    dataset_prefix: charter-optimization
    experiment_prefix: charter_validation
    metrics: [output_format]
    output_format:
      json_schema:
        type: object
        required: [verdict, reason]
        properties:
          verdict: { type: string, enum: [valid, invalid, needs_review] }
          reason: { type: string }
    thresholds:
      output_format: { min: 0.8 }
`;

const server = await startOpikServer();
try {
  const sample = buildSample({
    project: "charter-assistant",
    spanName: "charter_validation",
    now: new Date(),
    lookbackHours: 24,
    seed: 20260204,
    fresh: 12,
    alreadyAdded: 8,
    prose: 4,
    errorTraces: 5,
    otherNames: 6,
    otherTypes: 4,
    outsideWindow: 5,
  });
  await ingestSample(server.url, sample);
  console.log(`Embedded Opik server at ${server.url}: seeded ${sample.traces.length} traces and ${sample.spans.length} spans (${sample.expected.errorTraces} error traces, ${sample.expected.newSpanIds.length} new ${"charter_validation"} spans)\n`);

  const workspace = await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-demo-"));
  await mkdir(path.join(workspace, ".github"));
  await writeFile(path.join(workspace, ".github", "opik-evaluate.yml"), REGISTRY);

  const run = await runAction({ "opik-url": server.url, "task-provider": "replay", "experiment-type": "charter_optimization" }, { workspace });
  console.log("──── Job summary (GITHUB_STEP_SUMMARY) ────\n");
  console.log(run.summary);
  console.log("──── result-json ────\n");
  console.log(JSON.stringify(run.result ?? null, null, 2));
  if (run.exitCode !== 0) {
    console.error(`\nThe action exited with ${run.exitCode}:\n${run.stdout}\n${run.stderr}`);
    process.exitCode = 1;
  } else {
    console.log(`\nThe action succeeded (status ${run.outputs.status}).`);
  }
} finally {
  await server.close();
}
