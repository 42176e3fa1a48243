import type { Outcome } from "../core/outcome.js";
import { inCliWords } from "./cli-wording.js";

/** An error as the terminal shows it: the action's message, with flags where it names inputs. */
export function errorLine(message: string): string {
  return `error: ${inCliWords(message)}\n`;
}

/**
 * What a person at a terminal reads after the log: failing metrics, the result
 * JSON (folded unless --verbose), how the run ended, the job summary and where
 * the result file is.
 */
export function printedOutcome(outcome: Outcome, options: { verbose: boolean }): string {
  const lines = outcome.annotations.map((annotation) => errorLine(annotation.message));
  lines.push(options.verbose ? `▸ Result\n${outcome.resultJson}\n` : "▸ Result (folded; --verbose prints it)\n");
  lines.push(outcome.exit.failed ? errorLine(outcome.exit.message) : `${outcome.exit.message}\n`);
  if (outcome.summary.trim()) lines.push(`\n──── Job summary ────\n\n${outcome.summary.trimEnd()}\n`);
  lines.push(`\nResult JSON: ${outcome.resultFile}\n`);
  return lines.join("");
}
