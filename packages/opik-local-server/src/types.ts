import type { OpikStore } from "./store.js";

export interface OpikServerOptions {
  /** JSON file holding the state: loaded at start when present, rewritten after every mutating request. */
  persistPath?: string;
  /** Default 0: a free port picked at run time. */
  port?: number;
  /** Request bodies over this many bytes are answered 413, as a proxy's body limit does. Default 64 MB. */
  maxRequestBytes?: number;
  /**
   * Default true. False plays a backend older than `PUT /v1/private/assertion-results`: the route
   * answers Jersey's 404 like any unknown one, so the SDK falls back to trace feedback scores.
   */
  assertionResults?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Without the `/api` prefix and without the query, e.g. `/v1/private/spans/search`. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** 0 when the connection was reset or left hanging instead of answered. */
  status: number;
  /** Bytes of the response body sent back (what a client downloads, headers aside). */
  responseBytes: number;
}

export interface FaultRule {
  /** An HTTP method, or "*" for any. */
  method: string;
  path: string | RegExp;
  /** The status to answer with; leave out when `reset` is set. */
  status?: number;
  /** Reset the connection (TCP RST) instead of answering, as a dropped proxy or network does. */
  reset?: boolean;
  /** Never answer (until the client gives up or the server closes): a request that hangs. */
  hang?: boolean;
  /** Carry the request out first, then answer with the fault: a write that landed but whose answer was lost. */
  afterApplying?: boolean;
  /** Fail only this fraction of the matching calls, drawn from `random` (default Math.random). */
  rate?: number;
  random?: () => number;
  /** Skip this many matching calls before failing. */
  after?: number;
  /** How many times to fail; default Infinity. */
  times?: number;
  body?: unknown;
  /** Headers of the fault's answer, e.g. a 429's Retry-After. */
  headers?: Readonly<Record<string, string>>;
}

export interface OpikServer {
  /** e.g. `http://127.0.0.1:PORT/api`: what a user passes as `opik-url`. */
  readonly url: string;
  /** Every request, in order. */
  readonly requests: RecordedRequest[];
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Caps request bodies from now on (e.g. at Opik's documented 4 MB); undefined restores the start-up cap. */
  limitRequestBytes(bytes: number | undefined): void;
  /** Direct read access for test assertions. */
  readonly store: OpikStore;
  close(): Promise<void>;
}
