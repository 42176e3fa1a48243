import type { ActionConfig } from "../config/parse-config.js";
import type { OpikGateway } from "../opik/opik-gateway.js";
import { createDataset, type DatasetResult } from "./create-dataset.js";
import { filterNewSpans } from "./filter-new-spans.js";
import { findPendingDataset } from "./find-pending-dataset.js";
import type { Logger } from "./logger.js";
import { searchSpans } from "./search-spans.js";
import { runStamp } from "./time-window.js";

/** What Steps 1 to 3 found and wrote. */
export type Harvest =
  | { kind: "dataset"; dataset: DatasetResult; counts: HarvestCounts; resumed: boolean; spansNew: number; warnings: string[] }
  | { kind: "nothing-new"; counts: HarvestCounts; warnings: string[] }
  | { kind: "unknown-project"; counts: HarvestCounts; warnings: string[] };

export interface HarvestCounts {
  found: number;
  deferred: number;
  sampledOut: number;
}

/**
 * Steps 1 to 3: finish a dataset an interrupted run left pending, else
 * search the window's new spans and copy them into a new dataset. The spans
 * stay in this function's scope, so they are freed once their items are written.
 */
export async function harvestDataset(opik: OpikGateway, config: ActionConfig, now: Date, log: Logger): Promise<Harvest> {
  const warnings: string[] = [];
  const pending = await findPendingDataset(opik, config.feature.datasetPrefix);
  if (pending) warnings.push(`Finishing dataset ${pending.dataset.name}, left incomplete by an earlier run (${pending.items.length} items)`);

  log.info(`Step 1: searching ${config.feature.spanName} LLM spans started in [${config.window.start.toISOString()}, ${config.window.end.toISOString()})`);
  const pendingSpanIds = new Set(pending?.items.flatMap((item) => (item.spanId ? [item.spanId] : [])) ?? []);
  const room = Math.max(0, config.maxItems - pendingSpanIds.size);
  const selection = await filterNewSpans(searchSpans(opik, config.feature.spanName, config.window, config.spanFilter), room, { exclude: pendingSpanIds, samplingRate: config.samplingRate });
  const counts: HarvestCounts = { found: selection.found, deferred: selection.deferred, sampledOut: selection.sampledOut };
  if (selection.deferred) warnings.push(`${selection.deferred} new span(s) over max-items (${config.maxItems}) are left for the next run`);
  log.info(`Step 2: ${selection.found} span(s) found, ${selection.selected.length} not yet in a dataset`);

  // Newer Opik answers a search on an unknown project with nothing: a misspelled name would pass for a quiet day.
  if (selection.found === 0 && !pending && !(await opik.projectExists())) return { kind: "unknown-project", counts, warnings };
  if (!pending && selection.selected.length === 0) return { kind: "nothing-new", counts, warnings };

  const datasetName = `${config.feature.datasetPrefix}-${runStamp(now)}`;
  log.info(`Step 3: ${pending ? `completing dataset ${pending.dataset.name}` : `creating dataset ${datasetName}`}`);
  const dataset = await createDataset(opik, {
    name: datasetName,
    spans: selection.selected,
    description: `${config.feature.spanName} spans harvested by opik-evaluate for ${config.experimentType}`,
    ...(pending ? { pending } : {}),
  });
  warnings.push(...dataset.warnings);
  return { kind: "dataset", dataset, counts, resumed: Boolean(pending), spansNew: pending ? dataset.items.length : selection.selected.length, warnings };
}
