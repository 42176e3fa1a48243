import type { CommentMode } from "../constants.js";
import type { GateVerdict } from "../gate/index.js";
import type { RunHistory } from "../history/run-history.js";
import type { RunResult } from "../run-result.js";
import type { Publication } from "../publish/index.js";

/** Whether the step fails, and the one line that says why (or how the run went). */
export type ExitDecision = { failed: true; message: string } | { failed: false; message: string };

/**
 * Everything a runner needs once a run is over: what to write (result file,
 * summary, outputs, annotations), the comment that was posted, and whether
 * the step fails. A rejected configuration is an outcome too.
 */
export interface Outcome extends Publication {
  result: RunResult;
  verdict: GateVerdict;
  /** The pull request comment, with the URL it was posted at when it was. */
  comment?: { body: string; mode: CommentMode; url?: string };
  exit: ExitDecision;
  /** The feature's scheduled runs read back from Opik (the trend charts' data), when they could be read. */
  history?: RunHistory;
}
