import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";

/**
 * A loopback GitHub Actions cache service (v2, as github.com runs it): the Twirp JSON API @actions/cache calls at
 * ACTIONS_RESULTS_URL, and the Azure Blob "Put Blob"/"Put Block"/"Put Block List" and GET that its signed URLs
 * receive. Entries are immutable: a key and version is created once; a restore matches the key exactly, else the
 * newest entry whose key starts with a restore key, in order.
 */
export interface ActionsCacheServer {
  url: string;
  token: string;
  /** The environment the runner gives a step that may use the cache. */
  env: Record<string, string>;
  entries(): Array<{ key: string; version: string; bytes: number; finalized: boolean }>;
  close(): Promise<void>;
}

interface Entry {
  id: string;
  key: string;
  version: string;
  createdAt: number;
  blob?: Buffer;
  blocks: Map<string, Buffer>;
  finalized: boolean;
}

const SERVICE = "/twirp/github.actions.results.api.v1.CacheService/";

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

/** Twirp's error shape: a code and a message, with the HTTP status Twirp maps the code to. */
function twirpError(res: ServerResponse, status: number, code: string, msg: string): void {
  json(res, status, { code, msg });
}

/** The headers Azure Storage answers a write with; the SDK reads them into the response it returns. */
function blobWriteHeaders(): Record<string, string> {
  return {
    etag: `"0x${randomUUID().replaceAll("-", "").slice(0, 16).toUpperCase()}"`,
    "last-modified": new Date().toUTCString(),
    "x-ms-request-id": randomUUID(),
    "x-ms-version": "2025-11-05",
    "x-ms-request-server-encrypted": "true",
    date: new Date().toUTCString(),
  };
}

export async function startActionsCacheServer(): Promise<ActionsCacheServer> {
  const token = `runtime-${randomUUID()}`;
  const entries: Entry[] = [];
  let base = "";

  const twirp = async (req: IncomingMessage, res: ServerResponse, method: string): Promise<void> => {
    if (req.headers.authorization !== `Bearer ${token}`) return twirpError(res, 401, "unauthenticated", "invalid runtime token");
    const request = JSON.parse((await body(req)).toString("utf8")) as Record<string, unknown>;
    const text = (value: unknown): string => (typeof value === "string" ? value : "");
    const key = text(request.key);
    const version = text(request.version);
    if (method === "CreateCacheEntry") {
      if (entries.some((e) => e.key === key && e.version === version)) {
        return twirpError(res, 409, "already_exists", "cache entry with the same key, version, and scope already exists");
      }
      const entry: Entry = { id: randomUUID(), key, version, createdAt: Date.now(), blocks: new Map(), finalized: false };
      entries.push(entry);
      return json(res, 200, { ok: true, signed_upload_url: `${base}/devstoreaccount1/actions-cache/${entry.id}?sig=upload` });
    }
    if (method === "FinalizeCacheEntryUpload") {
      const entry = entries.find((e) => e.key === key && e.version === version && !e.finalized);
      if (!entry?.blob) return twirpError(res, 404, "not_found", "cache entry not found or not uploaded");
      if (String(entry.blob.length) !== String(request.size_bytes)) return twirpError(res, 400, "invalid_argument", "size mismatch");
      entry.finalized = true;
      return json(res, 200, { ok: true, entry_id: String(entries.indexOf(entry) + 1) });
    }
    if (method === "GetCacheEntryDownloadURL") {
      const finalized = entries.filter((e) => e.finalized && e.version === version).sort((a, b) => b.createdAt - a.createdAt);
      const restoreKeys = Array.isArray(request.restore_keys) ? request.restore_keys.map(String) : [];
      const match = finalized.find((e) => e.key === key) ?? restoreKeys.map((prefix) => finalized.find((e) => e.key.startsWith(prefix))).find(Boolean);
      if (!match) return json(res, 200, { ok: false, signed_download_url: "", matched_key: "" });
      return json(res, 200, { ok: true, signed_download_url: `${base}/devstoreaccount1/actions-cache/${match.id}?sig=download`, matched_key: match.key });
    }
    return twirpError(res, 404, "bad_route", `no handler for ${method}`);
  };

  const blob = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const entry = entries.find((e) => url.pathname.endsWith(`/${e.id}`));
    if (!entry) {
      res.writeHead(404, { "x-ms-error-code": "BlobNotFound" });
      return void res.end();
    }
    if (req.method === "GET") {
      if (!entry.blob) {
        res.writeHead(404, { "x-ms-error-code": "BlobNotFound" });
        return void res.end();
      }
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": entry.blob.length, ...blobWriteHeaders() });
      return void res.end(entry.blob);
    }
    if (req.method !== "PUT") {
      res.writeHead(405);
      return void res.end();
    }
    const data = await body(req);
    const comp = url.searchParams.get("comp");
    if (comp === "block") {
      entry.blocks.set(url.searchParams.get("blockid") ?? "", data);
    } else if (comp === "blocklist") {
      const ids = [...data.toString("utf8").matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]+)<\//g)].map((m) => m[1] ?? "");
      entry.blob = Buffer.concat(ids.map((id) => entry.blocks.get(id) ?? Buffer.alloc(0)));
    } else {
      if (req.headers["x-ms-blob-type"] !== "BlockBlob") {
        res.writeHead(400, { "x-ms-error-code": "MissingRequiredHeader" });
        return void res.end();
      }
      entry.blob = data;
    }
    res.writeHead(201, blobWriteHeaders());
    res.end();
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", base);
    const handled = url.pathname.startsWith(SERVICE) && req.method === "POST" ? twirp(req, res, url.pathname.slice(SERVICE.length)) : blob(req, res, url);
    handled.catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { code: "internal", msg: String(error) });
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  server.unref();
  return {
    url: base,
    token,
    env: { ACTIONS_CACHE_SERVICE_V2: "true", ACTIONS_RESULTS_URL: `${base}/`, ACTIONS_RUNTIME_TOKEN: token },
    entries: () => entries.map((e) => ({ key: e.key, version: e.version, bytes: e.blob?.length ?? 0, finalized: e.finalized })),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
