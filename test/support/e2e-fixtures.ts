import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { NO_SPANS, buildSample, ingestSample, type Sample, type SampleCounts } from "../../scripts/sample-data.js";

/** The charter feature the end-to-end tests harvest; `jsonSchema` is what output_format checks. */
export function charterRegistry(options: { datasetPrefix?: string; experimentPrefix?: string; jsonSchema?: string } = {}): string {
  const schema = options.jsonSchema ?? "{ type: object, required: [verdict], properties: { verdict: { type: string, enum: [valid, invalid, needs_review] } } }";
  return `
features:
  charter_optimization:
    span_name: charter_validation
    dataset_prefix: ${options.datasetPrefix ?? "charter-optimization"}
    experiment_prefix: ${options.experimentPrefix ?? "charter_validation"}
    metrics: [output_format]
    output_format:
      json_schema: ${schema}
`;
}

/** A fresh GITHUB_WORKSPACE holding `files` (paths relative to it), by default the charter registry as the config file. */
export async function makeWorkspace(name: string, files: Record<string, string> = { ".github/opik-evaluate.yml": charterRegistry() }): Promise<string> {
  const workspace = await mkdtemp(path.join(os.tmpdir(), `opik-evaluate-${name}-`));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(workspace, file)), { recursive: true });
    await writeFile(path.join(workspace, file), text);
  }
  return workspace;
}

export type { SampleCounts } from "../../scripts/sample-data.js";

/** Only fresh, harvestable spans: the counts a test names come on top of none. */
export const ONLY_FRESH: SampleCounts = NO_SPANS;

let projects = 0;

/**
 * A project of its own, seeded with charter_validation spans from `seed` (a
 * random one unless given) and ingested through Opik's ingestion endpoints.
 * The seed is printed, so a failure can be replayed with the same data set.
 */
export async function seedCharters(
  opikUrl: string,
  name: string,
  counts: Partial<SampleCounts> | ((seed: number) => Partial<SampleCounts>),
  seed: number = Math.floor(Math.random() * 2 ** 31),
): Promise<{ project: string; sample: Sample; seed: number }> {
  projects += 1;
  const project = `${name}-${projects}-${Date.now()}`;
  console.info(`${project}: sample seed ${seed}`);
  const sample = buildSample({
    project,
    spanName: "charter_validation",
    now: new Date(),
    lookbackHours: 24,
    seed,
    ...ONLY_FRESH,
    ...(typeof counts === "function" ? counts(seed) : counts),
  });
  await ingestSample(opikUrl, sample);
  return { project, sample, seed };
}
