/** The message of any caught value, whatever was thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/**
 * A mistake in the user's inputs or configuration file. Carries every problem
 * found, so one failed run tells the user everything to fix.
 */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** A call to Opik that failed; `cause` keeps the SDK's error with its status and body. */
export class OpikError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`Opik ${operation} failed: ${errorMessage(cause)}`, { cause });
    this.name = "OpikError";
  }
}

/** A create that Opik refused with 409 because another writer already took the name or id. */
export class AlreadyExistsError extends OpikError {
  constructor(operation: string, cause: unknown) {
    super(operation, cause);
    this.name = "AlreadyExistsError";
  }
}
