import { createHash } from "node:crypto";

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The millisecond timestamp a UUIDv7 carries, or undefined for any other id. */
export function uuidV7Millis(id: string): number | undefined {
  const match = UUID_PATTERN.exec(id);
  if (match?.[1] !== "7") return undefined;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/**
 * A UUIDv7 that is a pure function of its inputs: the time part from `millis`,
 * the 74 random bits from a hash of `key`. Opik upserts by id, so writing the
 * same logical record twice (a retry, an overlapping run) replaces it instead
 * of adding a duplicate. Opik requires version 7 ids, hence not a v5 UUID.
 */
export function derivedUuidV7(millis: number, key: string): string {
  const bytes = createHash("sha256").update(key).digest().subarray(0, 16);
  let time = Math.max(0, Math.floor(millis));
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The dataset item of one span in one dataset: the time part follows the dataset's id. */
export function datasetItemId(dataset: { id: string; createdAt?: string }, spanId: string): string {
  return derivedUuidV7(anchorMillis(dataset), `dataset-item:${dataset.id}:${spanId}`);
}

/** The experiment a harvested dataset is evaluated in: one per dataset, whichever run creates it. */
export function harvestExperimentId(dataset: { id: string; createdAt?: string }): string {
  return derivedUuidV7(anchorMillis(dataset), `experiment:${dataset.id}`);
}

/** The experiment item and the evaluation trace of one dataset item in one experiment. */
export function evaluationIds(experimentId: string, datasetItemId: string): { experimentItemId: string; traceId: string } {
  const millis = uuidV7Millis(experimentId) ?? 0;
  return {
    experimentItemId: derivedUuidV7(millis, `experiment-item:${experimentId}:${datasetItemId}`),
    traceId: derivedUuidV7(millis, `trace:${experimentId}:${datasetItemId}`),
  };
}

function anchorMillis(entity: { id: string; createdAt?: string }): number {
  return uuidV7Millis(entity.id) ?? (entity.createdAt ? Date.parse(entity.createdAt) : 0);
}

/** The experiment every shard of one evaluation writes into: derived, so the shards agree on it without talking. */
export function shardedExperimentId(dataset: { id: string; createdAt?: string }, experimentName: string): string {
  return derivedUuidV7(anchorMillis(dataset), `sharded-experiment:${dataset.id}:${experimentName}`);
}

/** A span's item in a test suite: overlapping runs promoting the same span upsert one item. */
export function suiteItemId(suite: { id: string; createdAt?: string }, spanId: string): string {
  return derivedUuidV7(anchorMillis(suite), `suite-item:${suite.id}:${spanId}`);
}

/**
 * The experiment item and trace of one run of a dataset item when it runs
 * more than once (the repeats input): the first run keeps the ids of a single
 * run, so repeats 1 writes exactly what it always did; the others derive from
 * the run index, so a rerun upserts each run instead of adding more.
 */
export function runEvaluationIds(experimentId: string, datasetItemId: string, runIndex: number): { experimentItemId: string; traceId: string } {
  return runIndex === 0 ? evaluationIds(experimentId, datasetItemId) : evaluationIds(experimentId, `${datasetItemId}:run:${runIndex}`);
}
