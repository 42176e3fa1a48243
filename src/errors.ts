import { redactSecret } from "./util/redact.js";

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

export interface OpikFailureDetails {
  /** The Opik URL called, without credentials. */
  url?: string;
  /** What went wrong, in one line: "connection refused: …", "HTTP 401 …". */
  reason?: string;
  /** What the user can do about it. */
  hint?: string;
  /** Attempts made, when the call was retried. */
  attempts?: number;
  status?: number;
  /** Scrubbed from the message, should a proxy echo it back. */
  secret?: string;
}

/**
 * A call to Opik that failed; `cause` keeps the SDK's error with its status and
 * body. The message names the operation, the URL, the cause and the likely fix.
 */
export class OpikError extends Error {
  readonly status: number | undefined;
  constructor(operation: string, cause: unknown, details: OpikFailureDetails = {}) {
    const where = details.url ? ` at ${details.url}` : "";
    const retried = details.attempts && details.attempts > 1 ? ` (after ${details.attempts} attempts)` : "";
    const text = `Opik ${operation} failed${where}: ${details.reason ?? errorMessage(cause)}${retried}.${details.hint ? ` ${details.hint}` : ""}`;
    super(redactSecret(text, details.secret), { cause });
    this.name = "OpikError";
    this.status = details.status;
  }
}

/**
 * A create that Opik refused because the name or id is taken by something that
 * is not this run's own earlier attempt: the caller may pick another name.
 */
export class AlreadyExistsError extends Error {
  readonly kind: "dataset" | "experiment";
  readonly entityName: string;
  constructor(kind: "dataset" | "experiment", entityName: string, cause?: unknown) {
    super(`Opik ${kind} "${entityName}" already exists and was not created by this run`, { cause });
    this.name = "AlreadyExistsError";
    this.kind = kind;
    this.entityName = entityName;
  }
}
