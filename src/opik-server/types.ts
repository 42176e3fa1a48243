import type { OpikStore } from "./store.js";

export interface OpikServerOptions {
  /** JSON file holding the state: loaded at start when present, rewritten after every mutating request. */
  persistPath?: string;
  /** Default 0: a free port picked at run time. */
  port?: number;
  /** Request bodies over this many bytes are answered 413, as a proxy's body limit does. Default 64 MB. */
  maxRequestBytes?: number;
}

export interface RecordedRequest {
  method: string;
  /** Without the `/api` prefix and without the query, e.g. `/v1/private/spans/search`. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
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
  /** Caps request bodies from now on (e.g. at Opik's documented 4 MB); undefined restores the start-up cap. */
  limitRequestBytes(bytes: number | undefined): void;
  /** Direct read access for test assertions. */
  readonly store: OpikStore;
  close(): Promise<void>;
}
