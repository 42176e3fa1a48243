import { setTimeout as sleep } from "node:timers/promises";

/**
 * Retry pacing for clients that do not retry by themselves (Gemini). The
 * numbers mirror the openai client's own backoff so every provider paces a
 * rate-limited run the same way.
 */
export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Longest server-requested wait worth honouring; beyond it retrying is pointless (e.g. a daily quota). */
  maxHintedDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxHintedDelayMs: 60_000,
};

/** What a provider says about one failed attempt. */
export interface RetryDecision {
  retryable: boolean;
  /** The wait the server asked for (Retry-After, RetryInfo), if it said. */
  hintedDelayMs?: number;
}

/**
 * Delay before retry number `retry` (0 for the first retry): exponential from
 * `initialDelayMs`, capped at `maxDelayMs`, minus up to 25 % jitter so
 * concurrent workers that failed together do not come back together.
 */
export function backoffDelayMs(retry: number, random: () => number = Math.random, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** retry);
  return ceiling * (1 - random() * 0.25);
}

/**
 * Delay before the next attempt, or undefined to give up. A server-requested
 * wait is honoured as a floor (plus up to 10 % so workers spread out); one
 * longer than `maxHintedDelayMs` means the quota will not refill in time.
 */
export function nextRetryDelayMs(
  retry: number,
  decision: RetryDecision,
  random: () => number = Math.random,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number | undefined {
  if (!decision.retryable) return undefined;
  const hint = decision.hintedDelayMs;
  if (hint === undefined || !Number.isFinite(hint) || hint < 0) return backoffDelayMs(retry, random, policy);
  if (hint > policy.maxHintedDelayMs) return undefined;
  return hint * (1 + random() * 0.1);
}

export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  classify(error: unknown): RetryDecision;
  signal?: AbortSignal | undefined;
  policy?: BackoffPolicy;
}

/** Runs `attempt` until it succeeds, fails for good, or the retries run out; rethrows the last error. */
export async function withRetry<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt(retry + 1);
    } catch (error) {
      const delay =
        retry < options.maxRetries && !options.signal?.aborted ? nextRetryDelayMs(retry, options.classify(error), Math.random, options.policy) : undefined;
      if (delay === undefined) throw error;
      await sleep(delay, undefined, options.signal ? { signal: options.signal } : undefined);
    }
  }
}
