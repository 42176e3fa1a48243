/** Where stages report progress; main.ts wires it to the runner's log. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
}
