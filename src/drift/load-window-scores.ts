import type { OpikGateway } from "../opik/opik-gateway.js";
import type { HistoryRun, RunHistory } from "../history/run-history.js";
import { runsToLoad } from "./detect-drift.js";
import type { DriftSettings, RunItemScores, WindowScores } from "./types.js";
import { mapBounded } from "../util/map-bounded.js";

/** Experiments read at once: each is a paged stream of its items, and Opik is shared with the rest of the run. */
const ITEM_READS_AT_ONCE = 4;

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
