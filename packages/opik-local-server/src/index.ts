export { startOpikServer } from "./server.js";
export type { FaultRule, OpikServer, OpikServerOptions, RecordedRequest } from "./types.js";
export {
  OpikStore,
  DEFAULT_PROJECT_NAME,
  type StoreSnapshot,
  type StoredDataset,
  type StoredDatasetItem,
  type StoredDatasetVersion,
  type StoredExperiment,
  type StoredExperimentItem,
  type StoredFeedbackScore,
  type StoredProject,
  type StoredSpan,
  type StoredTrace,
} from "./store.js";
export { createUuidV7 } from "./uuid-v7.js";
