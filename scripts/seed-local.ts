/**
 * Seeds the demo's sample traces into an Opik server that is already running
 * (`npm run opik:local`), through Opik's ingestion endpoints:
 *
 *   npm run seed:local -- --opik-url http://127.0.0.1:5173/api [--wait 60] [--seed 20260204]
 *
 * The data matches docs/config/opik-evaluate.yml. In a workflow step it also
 * writes what a run should then find to $GITHUB_OUTPUT (project, span-name,
 * dataset-prefix, spans-new, error-traces), so the next steps can check it.
 */
import { appendFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { errorMessage } from "../src/errors.js";
import { buildSample, ingestSample, type Sample } from "./sample-data.js";

/** The names in docs/config/opik-evaluate.yml. */
export const DEMO_NAMES = {
  project: "charter-assistant",
  spanName: "charter_validation",
  datasetPrefix: "charter-optimization",
  experimentType: "charter_optimization",
} as const;
export const DEMO_SEED = 20260204;
/** Relative to the repository: the registry the seeded data is made for. */
export const DEMO_CONFIG = "docs/config/opik-evaluate.yml";

/** The same mix as `npm run demo`: every case the harvest must tell apart. */
export function demoSample(now: Date, seed = DEMO_SEED): Sample {
  return buildSample({
    project: DEMO_NAMES.project,
    spanName: DEMO_NAMES.spanName,
    now,
    lookbackHours: 24,
    seed,
    fresh: 12,
    alreadyAdded: 8,
    prose: 4,
    errorTraces: 5,
    otherNames: 6,
    otherTypes: 4,
    outsideWindow: 5,
  });
}

/** A server started in the background a moment ago may not listen yet: any HTTP answer means it does. */
export async function waitForServer(opikUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(`${opikUrl.replace(/\/$/, "")}/v1/private/projects`);
      return;
    } catch (error) {
      if (Date.now() >= deadline)
        throw new Error(`No Opik server answered at ${opikUrl} within ${Math.round(timeoutMs / 1000)} s: ${errorMessage(error)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export async function seedLocal(opikUrl: string, options: { now?: Date; seed?: number } = {}): Promise<Sample> {
  const sample = demoSample(options.now ?? new Date(), options.seed);
  await ingestSample(opikUrl, sample);
  return sample;
}

/** What a run with the default max-items (50) finds in a freshly seeded server. */
export function expectedOutputs(sample: Sample): Record<string, string> {
  return {
    project: DEMO_NAMES.project,
    "span-name": DEMO_NAMES.spanName,
    "dataset-prefix": DEMO_NAMES.datasetPrefix,
    "spans-found": String(sample.expected.spansFound),
    "spans-new": String(Math.min(50, sample.expected.newSpanIds.length)),
    "error-traces": String(sample.expected.errorTraces),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { "opik-url": { type: "string" }, wait: { type: "string", default: "0" }, seed: { type: "string" }, help: { type: "boolean", short: "h" } },
    strict: true,
  });
  const usage = "usage: npm run seed:local -- --opik-url http://127.0.0.1:5173/api [--wait SECONDS] [--seed N]";
  if (values.help) return console.log(usage);
  const opikUrl = values["opik-url"];
  const waitSeconds = Number(values.wait);
  const seed = values.seed === undefined ? DEMO_SEED : Number(values.seed);
  if (!opikUrl || !Number.isFinite(waitSeconds) || !Number.isInteger(seed)) throw new Error(usage);

  if (waitSeconds > 0) await waitForServer(opikUrl, waitSeconds * 1000);
  const sample = await seedLocal(opikUrl, { seed });
  const outputs = expectedOutputs(sample);
  console.log(
    `Seeded ${sample.traces.length} traces and ${sample.spans.length} spans into ${opikUrl}; a harvest should find ${outputs["spans-new"]} new spans and ${outputs["error-traces"]} error traces.`,
  );
  if (process.env.GITHUB_OUTPUT) {
    await appendFile(
      process.env.GITHUB_OUTPUT,
      Object.entries(outputs)
        .map(([name, value]) => `${name}=${value}\n`)
        .join(""),
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(errorMessage(error));
    process.exitCode = 1;
  });
}
