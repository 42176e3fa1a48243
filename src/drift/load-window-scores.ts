import type { OpikGateway } from "../opik/opik-gateway.js";
import type { HistoryRun, RunHistory } from "../history/run-history.js";
import { runsToLoad } from "./detect-drift.js";
import type { DriftSettings, RunItemScores, WindowScores } from "./types.js";

/** Experiments read at once: each is a paged stream of its items, and Opik is shared with the rest of the run. */
const ITEM_READS_AT_ONCE = 4;

/** Runs `work` over `inputs`, at most `limit` at a time, results in the inputs' order. */
export async function mapBounded<T, R>(inputs: readonly T[], limit: number, work: (input: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(inputs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const index = next++;
      results[index] = await work(inputs[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  return results;
}

/**
 * The item-level scores of the runs the drift check compares (the two windows and the run before them), read from
 * each run's experiment items. The seam with the history loader: it gives the runs, this gives their items.
 */
export async function loadWindowScores(opik: OpikGateway, history: RunHistory, settings: DriftSettings): Promise<WindowScores> {
  const runs = runsToLoad(history, settings);
  const rows = await mapBounded(runs, ITEM_READS_AT_ONCE, async (run: HistoryRun) => {
    const items = await opik.listExperimentItems({ id: run.experimentId, name: run.experimentName });
    return items.map((item): RunItemScores => ({ datasetItemId: item.datasetItemId, traceId: item.traceId, scores: item.feedbackScores }));
  });
  return new Map(runs.map((run, i) => [run.experimentId, rows[i] ?? []]));
}
