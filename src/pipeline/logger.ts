/** Where stages report progress; main.ts wires it to the runner's log, the CLI to a terminal. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  /** Long work reports items done out of total; a log prints a line, a terminal draws a bar. */
  progress(done: number, total: number, what: string): void;
}
