import type { OpikStore } from "./store.js";

export interface OpikServerOptions {
  /** JSON file holding the state: loaded at start when present, rewritten after every mutating request. */
  persistPath?: string;
  /** Default 0: a free port picked at run time. */
  port?: number;
}

export interface RecordedRequest {
  method: string;
  /** Without the `/api` prefix and without the query, e.g. `/v1/private/spans/search`. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  /** Bytes of the response body sent back (what a client downloads, headers aside). */
  responseBytes: number;
}

export interface FaultRule {
  method: string;
  path: string | RegExp;
  status: number;
  /** Skip this many matching calls before failing. */
  after?: number;
  /** How many times to fail; default Infinity. */
  times?: number;
  body?: unknown;
}

export interface OpikServer {
  /** e.g. `http://127.0.0.1:PORT/api`: what a user passes as `opik-url`. */
  readonly url: string;
  /** Every request, in order. */
  readonly requests: RecordedRequest[];
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Direct read access for test assertions. */
  readonly store: OpikStore;
  close(): Promise<void>;
}
