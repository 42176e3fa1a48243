import { createOpikGateway } from "../../src/opik/opik-sdk-gateway.js";
import type { OpikGateway } from "../../src/opik/opik-gateway.js";
import { EVALUATION_PROJECT_SUFFIX } from "../../src/constants.js";
import { seededRandom } from "../../src/gate/seeded-random.js";

/**
 * A feature's scheduled runs written straight into Opik, as the action's own harvest would leave them: a dataset
 * `{prefix}-YYYYMMDD-HHMMSS` per run, its experiment `{experiment_prefix}-eval-YYYYMMDD-HHMMSS`, and one evaluation
 * trace with its output_format score per item. The writes go through the action's gateway (the opik SDK's REST client).
 */
export interface HistorySeeder {
  /** Adds one run whose items score `scores` on output_format; returns its experiment's name. */
  addRun(scores: readonly number[]): Promise<string>;
  runs: number;
}

const START = Date.UTC(2026, 0, 5, 0, 0, 0);

function stamp(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 10).replaceAll("-", "")}-${iso.slice(11, 19).replaceAll(":", "")}`;
}

export function historySeeder(opikUrl: string, project: string, options: { datasetPrefix?: string; experimentPrefix?: string } = {}): HistorySeeder {
  const opik: OpikGateway = createOpikGateway({
    url: opikUrl,
    apiKey: "",
    workspace: "default",
    project,
    evaluationProject: `${project}${EVALUATION_PROJECT_SUFFIX}`,
    runId: "seed-history",
  });
  const datasetPrefix = options.datasetPrefix ?? "charter-optimization";
  const experimentPrefix = options.experimentPrefix ?? "charter_validation";
  const seeder: HistorySeeder = {
    runs: 0,
    async addRun(scores) {
      const at = new Date(START + seeder.runs * 30 * 60_000);
      seeder.runs += 1;
      const dataset = await opik.createDataset(`${datasetPrefix}-${stamp(at)}`, "seeded history", ["opik-evaluate"]);
      const items = scores.map((_, i) => ({
        id: opik.newId(),
        spanId: opik.newId(),
        traceId: opik.newId(),
        data: {
          input: { charter: `charter ${seeder.runs}-${i}` },
          expected_output: { verdict: "valid" },
          span_id: "",
          trace_id: "",
          span_name: "charter_validation",
          start_time: at.toISOString(),
        },
      }));
      for (const item of items) Object.assign(item.data, { span_id: item.spanId, trace_id: item.traceId });
      await opik.insertDatasetItems(dataset, items);
      const experiment = await opik.createExperiment(`${experimentPrefix}-eval-${stamp(at)}`, dataset, { seeded: true });
      await opik.writeEvaluations(
        experiment,
        items.map((item, i) => ({
          datasetItemId: item.id,
          traceId: opik.newId(),
          experimentItemId: opik.newId(),
          startTime: at,
          endTime: new Date(at.getTime() + 1000),
          input: item.data.input,
          output: { output: scores[i] === 1 ? '{"verdict":"valid"}' : "prose" },
          scores: [{ name: "output_format", value: scores[i] ?? 0 }],
        })),
      );
      return experiment.name;
    },
  };
  return seeder;
}

/** `count` item scores, each 1 with probability `rate` and independently, in a fixed order from `seed`. */
export function binaryScores(count: number, rate: number, seed: number): number[] {
  // mulberry32, not a bare LCG: an LCG's first draws from consecutive seeds are nearly equal, which made "independent"
  // runs move together and a stable history drift.
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => (random() < rate ? 1 : 0));
}
