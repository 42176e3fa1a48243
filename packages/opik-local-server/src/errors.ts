/**
 * Error bodies come in the two shapes the backend produces: Dropwizard's
 * `{"code":N,"message":"..."}` (plain JAX-RS exceptions, JSON parse failures) and
 * Opik's own `{"errors":["..."]}` (bean validation, entity conflicts, some not-found cases).
 */
export type ErrorBody = { code: number; message: string } | { errors: string[] };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super("message" in body ? body.message : body.errors.join("; "));
    this.name = "ApiError";
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === "string" ? error : (JSON.stringify(error) ?? String(error));
}

export function codeError(status: number, message: string): ApiError {
  return new ApiError(status, { code: status, message });
}

export function listError(status: number, ...errors: string[]): ApiError {
  return new ApiError(status, { errors });
}

/** Jackson could not map the body (malformed JSON, wrong types, unknown enum values). */
export function unprocessableJson(): ApiError {
  return codeError(400, "Unable to process JSON");
}

export function badRequest(message: string): ApiError {
  return codeError(400, message);
}

/** Bean-validation failures on a request body: Dropwizard answers 422 with every violation. */
export function validationFailed(errors: string[]): ApiError {
  return listError(422, ...errors);
}

/**
 * Dropwizard's answer to an unexpected exception in the backend (LoggingExceptionMapper), e.g.
 * the NullPointerException `URLDecoder.decode(null)` throws for a filter sent with `"value": null`.
 */
export function internalError(): ApiError {
  return codeError(500, "There was an error processing your request. It has been logged.");
}

/** What Jersey answers for an unknown route or an unconvertible path/query parameter. */
export function routeNotFound(): ApiError {
  return codeError(404, "HTTP 404 Not Found");
}
