import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { errorMessage } from "./errors.js";
import { OpikStore, type StoreSnapshot } from "./store.js";

let tempCounter = 0;

export function loadStore(path: string | undefined): OpikStore {
  if (!path || !existsSync(path)) return new OpikStore();
  let snapshot: unknown;
  try {
    snapshot = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`Cannot read Opik server state from ${path}: ${errorMessage(error)}`, { cause: error });
  }
  if (!isSnapshot(snapshot)) throw new Error(`${path} is not an Opik server state file (version 1)`);
  return OpikStore.fromSnapshot(snapshot);
}

/** Temp file + rename, so a crash mid-write never leaves a truncated state file behind. */
export function saveStore(path: string, store: OpikStore): void {
  mkdirSync(dirname(path), { recursive: true });
  tempCounter += 1;
  const temp = `${path}.${process.pid}.${tempCounter}.tmp`;
  writeFileSync(temp, JSON.stringify(store.toSnapshot()));
  renameSync(temp, path);
}

function isSnapshot(value: unknown): value is StoreSnapshot {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  const lists = ["projects", "traces", "spans", "feedback_scores", "datasets", "dataset_items", "dataset_versions", "experiments", "experiment_items"];
  return record.version === 1 && lists.every((key) => Array.isArray(record[key]));
}
