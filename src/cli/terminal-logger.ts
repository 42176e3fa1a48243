import type { Logger } from "../pipeline/logger.js";

export interface TextSink {
  write(text: string): void;
}

export interface Terminal extends TextSink {
  /** A terminal redraws a progress bar in place; a pipe or a file gets plain lines. */
  isTTY: boolean;
  columns?: number;
}

export interface TerminalLogger extends Logger {
  /** Erases the progress bar, so the next output starts on a clean line. */
  clearBar(): void;
  /** Ends the line of a bar left unfinished (a run that stopped half-way). */
  finish(): void;
}

const BAR_WIDTH = 24;

/** One bar frame, cut to the terminal's width so it never wraps (a wrapped line cannot be redrawn). */
export function renderBar(done: number, total: number, what: string, columns = 80): string {
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(share * BAR_WIDTH);
  const line = `[${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}] ${done}/${total} ${what}`;
  return line.length < columns ? line : `${line.slice(0, Math.max(0, columns - 2))}…`;
}

/** A line each tenth of the work, like the runner's log, so a long piped run shows it is alive without flooding. */
function isPlainStep(done: number, total: number): boolean {
  return done === total || done % Math.max(1, Math.ceil(total / 10)) === 0;
}

export function createTerminalLogger(out: Terminal, err: TextSink): TerminalLogger {
  let barShown = false;
  const clearBar = (): void => {
    if (!barShown) return;
    out.write("\r\x1b[K");
    barShown = false;
  };
  return {
    info(message) {
      clearBar();
      out.write(`${message}\n`);
    },
    warning(message) {
      clearBar();
      err.write(`warning: ${message}\n`);
    },
    progress(done, total, what) {
      if (!out.isTTY) {
        if (isPlainStep(done, total)) out.write(`${done}/${total} ${what}\n`);
        return;
      }
      out.write(`\r\x1b[K${renderBar(done, total, what, out.columns || 80)}`);
      barShown = done < total;
      if (!barShown) out.write("\n");
    },
    clearBar,
    finish() {
      if (barShown) out.write("\n");
      barShown = false;
    },
  };
}
