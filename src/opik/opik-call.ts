/**
 * Every call the gateway makes to Opik goes through `callOpik`: transient
 * failures of calls that are safe to repeat are retried here (and only here:
 * the SDK's own retries are off, so attempts do not multiply), and a failure
 * that stays becomes an OpikError naming the URL, the cause and the likely fix.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { OPIK_RETRY } from "../constants.js";
import { OpikError, errorMessage } from "../errors.js";
import { nextRetryDelayMs } from "../providers/retry.js";
import { TRANSPORT_FAILURE_STATUS, classifyTransportError, transportFailureOf, type TransportFailure } from "./opik-fetch.js";
import { displayUrl } from "../util/redact.js";

export interface OpikCallSettings {
  /** The configured opik-url; shown without credentials. */
  url: string;
  apiKey: string;
  timeoutSeconds: number;
  random?: () => number;
}

/** What one failed attempt says about itself. */
export interface OpikFailure {
  transient: boolean;
  /** The HTTP status, when Opik answered. */
  status?: number;
  transport?: TransportFailure;
  retryAfterMs?: number;
  /** A 404 for the path itself, not for an entity: the URL does not lead to Opik's API. */
  routeMissing?: boolean;
  /** One line: what went wrong. */
  reason: string;
}

const TRANSIENT_STATUSES = new Set([408, 429]);
const TRANSIENT_TRANSPORT = new Set(["reset", "timeout"]);

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** Opik answers `{"code":…,"message":"…"}` or `{"errors":["…"]}`. */
function opikErrorText(body: unknown): string | undefined {
  if (typeof body === "string") return body.trim().slice(0, 300) || undefined;
  if (!body || typeof body !== "object") return undefined;
  const { message, errors } = body as { message?: unknown; errors?: unknown };
  if (typeof message === "string" && message) return message;
  if (Array.isArray(errors) && errors.length) return errors.map(String).join("; ");
  return undefined;
}

/** Retry-After in seconds or as an HTTP date. */
function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { rawResponse?: { headers?: { get?: (name: string) => string | null } } } | undefined)?.rawResponse?.headers;
  const value = typeof headers?.get === "function" ? headers.get("retry-after") : null;
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

const TRANSPORT_WORDS: Record<TransportFailure["kind"], string> = {
  refused: "connection refused",
  reset: "connection reset",
  dns: "host name not found (DNS)",
  tls: "TLS failure",
  timeout: "timed out",
  network: "network unreachable",
};

/** Classifies one failed attempt: an SDK status error, our fetch's transport failure, or a raw error from reading a stream. */
export function describeOpikFailure(error: unknown): OpikFailure {
  const status = statusOf(error);
  const body = (error as { body?: unknown } | undefined)?.body;
  const transport = status === TRANSPORT_FAILURE_STATUS ? transportFailureOf(body) : undefined;
  if (transport) {
    const detail = transport.code && !transport.message.includes(transport.code) ? `${transport.message} (${transport.code})` : transport.message;
    return { transient: TRANSIENT_TRANSPORT.has(transport.kind), transport, reason: `${TRANSPORT_WORDS[transport.kind]}: ${detail}` };
  }
  if (status !== undefined) {
    const text = opikErrorText(body);
    const wait = retryAfterMs(error);
    return {
      transient: TRANSIENT_STATUSES.has(status) || status >= 500,
      status,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
      // Jersey's answer for an unknown path, or an HTML page from the UI's web server.
      ...(status === 404 && (text === undefined || text === "HTTP 404 Not Found" || /<html/i.test(text)) ? { routeMissing: true } : {}),
      reason: `HTTP ${status}${text ? ` ${text}` : ""}`,
    };
  }
  // The SDK's own timer (only if ours did not fire first) or a stream that broke while being read.
  if (errorMessage(error) === '"timeout"') return { transient: true, transport: { kind: "timeout", message: "timed out" }, reason: "timed out" };
  const raw = classifyTransportError(error, false);
  return { transient: TRANSIENT_TRANSPORT.has(raw.kind), transport: raw, reason: `${TRANSPORT_WORDS[raw.kind]}: ${raw.message}` };
}

/** What the user can do about a failure that stayed. */
function fixHint(failure: OpikFailure, timeoutSeconds: number): string {
  const urlHint = "Check opik-url: a self-hosted Opik's URL ends in /api (e.g. http://localhost:5173/api), Opik Cloud's is https://www.comet.com/opik/api";
  if (failure.transport?.kind === "timeout")
    return `Opik did not answer within opik-timeout-seconds (${timeoutSeconds}); raise it, or check that Opik is healthy.`;
  if (failure.transport) return `${urlHint}, and that Opik is running and reachable from here.`;
  if (failure.status === 401 || failure.status === 403) return "Check opik-api-key and opik-workspace: Opik Cloud needs both.";
  if (failure.status === 405 || (failure.status === 404 && failure.routeMissing))
    return `${urlHint}: without /api the request reaches Opik's web UI, not its API.`;
  if (failure.status !== undefined && failure.status >= 500) return "Opik answered with a server error; try again later, or check Opik's logs.";
  return "";
}

/**
 * Runs `attempt` until it succeeds or fails for good. `repeatable`: the call is
 * a read, or a write that upserts by id, so sending it again cannot duplicate
 * anything. Backoff honours Retry-After; the retries stop after OPIK_RETRY.attempts
 * attempts or once the next wait would end past OPIK_RETRY.budgetMs.
 */
export async function callOpik<T>(settings: OpikCallSettings, operation: string, attempt: () => Promise<T>, repeatable: boolean): Promise<T> {
  const started = Date.now();
  for (let attempts = 1; ; attempts += 1) {
    try {
      return await attempt();
    } catch (error) {
      const failure = describeOpikFailure(error);
      const delay =
        repeatable && attempts < OPIK_RETRY.attempts
          ? nextRetryDelayMs(
              attempts - 1,
              { retryable: failure.transient, ...(failure.retryAfterMs !== undefined ? { hintedDelayMs: failure.retryAfterMs } : {}) },
              settings.random,
              OPIK_RETRY,
            )
          : undefined;
      if (delay === undefined || Date.now() - started + delay > OPIK_RETRY.budgetMs) {
        throw new OpikError(operation, error, {
          url: displayUrl(settings.url),
          reason: failure.reason,
          hint: fixHint(failure, settings.timeoutSeconds),
          attempts,
          secret: settings.apiKey,
          ...(failure.status !== undefined ? { status: failure.status } : {}),
        });
      }
      await sleep(delay);
    }
  }
}
