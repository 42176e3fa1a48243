/**
 * The fetch the opik SDK's REST client is given. The SDK (Fern core, opik
 * 2.0.40) arms a timer for every request and clears it only when fetch
 * resolves: a fetch that rejects (connection refused, reset, DNS, TLS) leaves a
 * referenced timer that holds the process open for the whole timeout after the
 * run has failed. So this fetch never rejects: a transport failure becomes a
 * response whose status is TRANSPORT_FAILURE_STATUS and whose body describes
 * the failure, the SDK clears its timer and throws a status error, and
 * `describeOpikFailure` turns that back into the transport failure.
 *
 * It also carries the request timeout itself (AbortSignal.timeout's timer does
 * not hold the process open), and that timeout covers reading the body, which
 * the SDK's does not. JSON bodies are read here, so a connection lost mid-body
 * is classified like one lost before the headers; NDJSON streams are left to
 * their reader (a page can be large), which sees the same failure as a thrown error.
 */

/** Not an HTTP status Opik answers; the SDK passes it through as a status error. */
export const TRANSPORT_FAILURE_STATUS = 599;

/** What went wrong below HTTP, in the words a user can act on. */
export type TransportFailureKind = "refused" | "reset" | "dns" | "tls" | "timeout" | "network";

export interface TransportFailure {
  kind: TransportFailureKind;
  /** The system or undici error code, e.g. ECONNRESET. */
  code?: string;
  message: string;
}

/** The key of the synthetic body, chosen so no Opik error body can carry it. */
const BODY_KEY = "opik_evaluate_transport_failure";

const CODE_KINDS: Readonly<Record<string, TransportFailureKind>> = {
  ECONNREFUSED: "refused",
  ECONNRESET: "reset",
  EPIPE: "reset",
  UND_ERR_SOCKET: "reset",
  UND_ERR_CLOSED: "reset",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  ETIMEDOUT: "timeout",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  EHOSTUNREACH: "network",
  ENETUNREACH: "network",
};

/** The innermost cause's code: fetch wraps the socket's error in a TypeError("fetch failed"). */
function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 5; depth += 1) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === "string" && !cause) return code;
    if (typeof code === "string" && !(cause && typeof cause === "object" && "code" in cause)) return code;
    current = cause;
  }
  return undefined;
}

function innermostMessage(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  for (let current = (error as { cause?: unknown } | undefined)?.cause, depth = 0; current && depth < 5; depth += 1) {
    if (current instanceof Error && current.message) message = current.message;
    current = (current as { cause?: unknown }).cause;
  }
  return message;
}

/** Classifies a rejected fetch; `timedOut` says our own timeout fired. */
export function classifyTransportError(error: unknown, timedOut: boolean): TransportFailure {
  if (timedOut) return { kind: "timeout", message: "no complete answer within the request timeout" };
  const code = errorCode(error);
  const message = innermostMessage(error);
  const byCode = code ? CODE_KINDS[code] : undefined;
  const kind =
    byCode ??
    (code?.startsWith("ERR_TLS") || /certificate|SSL|TLS/i.test(`${code ?? ""} ${message}`)
      ? "tls"
      : /other side closed|socket hang up/i.test(message)
        ? "reset"
        : "network");
  return { kind, ...(code ? { code } : {}), message };
}

/** The transport failure carried by an SDK error's body, if it is one of ours. */
export function transportFailureOf(body: unknown): TransportFailure | undefined {
  if (!body || typeof body !== "object" || !(BODY_KEY in body)) return undefined;
  const failure = (body as Record<string, unknown>)[BODY_KEY];
  if (!failure || typeof failure !== "object") return undefined;
  const { kind, code, message } = failure as Record<string, unknown>;
  if (typeof kind !== "string" || typeof message !== "string") return undefined;
  return { kind: kind as TransportFailureKind, ...(typeof code === "string" ? { code } : {}), message };
}

function failureResponse(failure: TransportFailure): Response {
  return new Response(JSON.stringify({ [BODY_KEY]: failure }), { status: TRANSPORT_FAILURE_STATUS, headers: { "content-type": "application/json" } });
}

/** A fetch that answers every transport failure with a response and times a request out after `timeoutMs`, body included. */
export function createOpikFetch(timeoutMs: number, baseFetch: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      const response = await baseFetch(input, { ...init, signal });
      if (response.headers.get("content-type")?.includes("octet-stream")) return response;
      const body = await response.arrayBuffer();
      return new Response(response.status === 204 || response.status === 304 ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      return failureResponse(classifyTransportError(error, timeout.aborted));
    }
  };
}
