import type { Opik } from "opik";
import { OpikError } from "../errors.js";
import type { ExperimentRecord } from "../types.js";
import type { ExperimentAggregate } from "./opik-gateway.js";
import type { OpikCall } from "./span-count.js";

type RequestOptions = Parameters<Opik["api"]["experiments"]["getExperimentById"]>[1];
type ExperimentPublic = Awaited<ReturnType<Opik["api"]["experiments"]["getExperimentById"]>>;

function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** JSON with object keys sorted, so a value read back compares equal whatever order the server keeps keys in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** The list's view of an experiment; undefined for a row without the id, name or dataset the history needs. */
export function toExperimentAggregate(e: ExperimentPublic): ExperimentAggregate | undefined {
  if (!e.id || !e.name || !e.datasetId) return undefined;
  return {
    id: e.id,
    name: e.name,
    datasetId: e.datasetId,
    datasetName: e.datasetName ?? "",
    createdAt: (e.createdAt ?? new Date(0)).toISOString(),
    metadata: asObject(e.metadata),
    feedbackScores: (e.feedbackScores ?? []).filter((s) => Number.isFinite(s.value)).map((s) => ({ name: s.name, mean: s.value })),
    traceCount: e.traceCount ?? 0,
  };
}

/**
 * Adds entries to an experiment's metadata. Opik's PATCH sends `metadata` as one JSON value, and its
 * ExperimentUpdate does not say whether the server merges or replaces it: the whole metadata, read first and
 * merged here, is sent, which is right either way. A read-back confirms the write.
 */
export function experimentMetadataWriter(
  call: OpikCall,
  api: Opik["api"],
  options: RequestOptions,
): (experiment: ExperimentRecord, entries: Record<string, unknown>) => Promise<void> {
  return async (experiment, entries) => {
    const read = async (): Promise<Record<string, unknown>> =>
      asObject((await call(`experiment read "${experiment.name}"`, () => api.experiments.getExperimentById(experiment.id, options))).metadata);
    const metadata = { ...(await read()), ...entries };
    await call(`experiment metadata update "${experiment.name}"`, () => api.experiments.updateExperiment(experiment.id, { body: { metadata } }, options));
    const stored = await read();
    const lost = Object.keys(entries).filter((key) => canonical(stored[key]) !== canonical(entries[key]));
    if (lost.length) {
      throw new OpikError(`experiment metadata update "${experiment.name}"`, new Error(`Opik does not hold ${lost.join(", ")} after the update`));
    }
  };
}
