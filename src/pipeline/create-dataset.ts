import { ADDED_TO_DATASET_SCORE, DATASET_TAG, PENDING_TAG } from "../constants.js";
import { AlreadyExistsError } from "../errors.js";
import type { OpikGateway, NewDatasetItem } from "../opik/opik-gateway.js";
import type { DatasetItemRecord, DatasetRecord, SpanItemData, SpanRecord } from "../types.js";
import { datasetItemId } from "./derived-id.js";
import type { PendingDataset } from "./find-pending-dataset.js";
import { withLeaseTag, type Lease } from "./lease.js";
import { fitJson, ITEM_BYTES, truncationWarning } from "./fit-item.js";

export interface DatasetResult {
  dataset: DatasetRecord;
  items: DatasetItemRecord[];
  /** Spans this run marked with added_to_dataset. */
  marked: number;
  resumed: boolean;
  /** One per span whose item was too large for an Opik request and was stored truncated. */
  warnings: string[];
}

/** Names tried after `<prefix>-<stamp>` when earlier runs took it in the same second. */
const NAME_SUFFIXES = 20;

/**
 * The item keeps the span's identity (ids, model, usage, cost) next to its
 * payload: two spans with the same input and output stay two items.
 */
export function toItemData(span: SpanRecord): SpanItemData {
  return {
    input: span.input ?? null,
    expected_output: span.output ?? null,
    span_id: span.id,
    trace_id: span.traceId,
    span_name: span.name,
    start_time: span.startTime,
    ...(span.model ? { model: span.model } : {}),
    ...(span.provider ? { provider: span.provider } : {}),
    ...(span.usage ? { usage: span.usage } : {}),
    ...(span.totalEstimatedCost !== undefined ? { total_estimated_cost: span.totalEstimatedCost } : {}),
  };
}

/** A new dataset under `name`, or `name-2`, `name-3`… when runs in the same second took the name. */
async function createNamedDataset(opik: OpikGateway, name: string, description: string, tags: string[]): Promise<DatasetRecord> {
  for (let n = 1; ; n += 1) {
    try {
      return await opik.createDataset(n === 1 ? name : `${name}-${n}`, description, tags);
    } catch (error) {
      if (!(error instanceof AlreadyExistsError) || n > NAME_SUFFIXES) throw error;
    }
  }
}

/**
 * Step 3: the dataset, its items, then the added_to_dataset marks. The items
 * are read back before any span is marked, so a failed or partial write never
 * leaves a span marked without its item. An item's id derives from its span
 * and dataset, so a repeated write replaces it instead of adding it twice.
 * The dataset keeps PENDING_TAG and this run's lease until its experiment is complete.
 */
export async function createDataset(
  opik: OpikGateway,
  options: { name: string; spans: SpanRecord[]; pending?: PendingDataset; description: string; lease: Lease },
): Promise<DatasetResult> {
  const dataset =
    options.pending?.dataset ?? (await createNamedDataset(opik, options.name, options.description, withLeaseTag([DATASET_TAG, PENDING_TAG], options.lease)));
  const existing = options.pending?.items ?? [];
  const inDataset = new Set(existing.map((item) => item.spanId));
  const warnings: string[] = [];
  const newItems: NewDatasetItem[] = options.spans
    .filter((span) => !inDataset.has(span.id))
    .map((span) => {
      const fitted = fitJson(toItemData(span), ITEM_BYTES);
      if (fitted.truncated) warnings.push(truncationWarning(`Span ${span.id}`, "its dataset item", fitted));
      return { id: datasetItemId(dataset, span.id), spanId: span.id, traceId: span.traceId, data: fitted.value };
    });
  await opik.insertDatasetItems(dataset, newItems);

  const items = await opik.listDatasetItems(dataset);
  const written = new Set(items.map((item) => item.spanId));
  const missing = newItems.filter((item) => !written.has(item.spanId));
  if (missing.length) {
    throw new Error(
      `Opik dataset "${dataset.name}" is missing ${missing.length} of ${newItems.length} items after writing them (first missing span ${missing[0]?.spanId}); no span was marked`,
    );
  }

  const projectOf = new Map(options.spans.map((span) => [span.id, span.projectName ?? opik.projectName]));
  const marks = items
    .filter((item): item is DatasetItemRecord & { spanId: string } => Boolean(item.spanId))
    .map((item) => ({
      spanId: item.spanId,
      projectName: projectOf.get(item.spanId) ?? opik.projectName,
      name: ADDED_TO_DATASET_SCORE,
      value: 1,
      reason: dataset.name,
    }));
  await opik.scoreSpans(marks);
  return { dataset, items, marked: marks.length, resumed: Boolean(options.pending), warnings };
}
