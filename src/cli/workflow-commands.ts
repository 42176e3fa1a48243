/**
 * @actions/core speaks to the runner in workflow commands on stdout
 * (`::warning::…`, `::add-mask::…`, `::group::…`). In a terminal they are noise,
 * and `::add-mask::` would even print the secret it is meant to hide, so the
 * CLI turns each into what a person should see.
 */

import { inCliWords } from "./cli-wording.js";

export interface CommandState {
  verbose: boolean;
  /** Inside a `::group::` that is folded away. */
  folded: boolean;
}

/** core escapes %, CR and LF in a command's message; the runner undoes it. */
function unescapeData(text: string): string {
  return text.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
}

const COMMAND = /^::([a-z-]+)(?: [^:]*)?::(.*)$/s;
const SHOWN_AS = { warning: "warning", error: "error", notice: "notice" } as const;

/** The text to print for one line of stdout, or undefined for none. */
export function translateLine(line: string, state: CommandState): string | undefined {
  const command = COMMAND.exec(line);
  if (!command) return state.folded ? undefined : line;
  const [, name = "", message = ""] = command;
  if (name in SHOWN_AS) return `${SHOWN_AS[name as keyof typeof SHOWN_AS]}: ${inCliWords(unescapeData(message))}`;
  if (name === "group") {
    state.folded = !state.verbose;
    return state.verbose ? `▸ ${message}` : `▸ ${message} (folded; --verbose prints it)`;
  }
  if (name === "endgroup") state.folded = false;
  // add-mask, debug, set-output, save-state, echo, endgroup: nothing to show.
  return undefined;
}

/**
 * Routes every later write to process.stdout through translateLine, then to
 * `print`, until the returned function restores the stream.
 */
export function interceptStdout(state: CommandState, print: (text: string) => void): () => void {
  const original = process.stdout.write.bind(process.stdout);
  const write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    const lines = text.split("\n");
    const partial = lines.pop() ?? "";
    const shown = lines.map((line) => translateLine(line.replace(/\r$/, ""), state)).filter((line) => line !== undefined);
    const out = shown.map((line) => `${line}\n`).join("") + (state.folded ? "" : partial);
    if (out) print(out);
    const callback = rest.find((arg): arg is () => void => typeof arg === "function");
    callback?.();
    return true;
  };
  process.stdout.write = write;
  return () => {
    process.stdout.write = original;
  };
}
