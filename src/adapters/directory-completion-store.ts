import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import type { CompletionStore } from "../cache/completion-cache.js";
import type { Completion } from "../types.js";

function isCompletion(value: unknown): value is Completion {
  const candidate = value as Partial<Completion> | null;
  return typeof candidate?.text === "string" && typeof candidate.model === "string";
}

/**
 * Completions as one JSON file per key in a folder: what the GitHub Actions cache saves and restores, and what the
 * CLI keeps between runs. A file that cannot be read back as a completion is a miss, never an error.
 */
export class DirectoryCompletionStore implements CompletionStore {
  /** Entries this run added; a run that added none has nothing new to save. */
  written = 0;

  constructor(readonly directory: string) {}

  private file(key: string): string {
    return path.join(this.directory, key.slice(0, 2), `${key}.json`);
  }

  async read(key: string): Promise<Completion | undefined> {
    const file = this.file(key);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, "utf8"));
    } catch {
      return undefined;
    }
    if (!isCompletion(parsed)) return undefined;
    // Used entries are the newest, so pruning drops the ones no run has asked for longest.
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
    return parsed;
  }

  async write(key: string, completion: Completion): Promise<void> {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    // Written aside, then renamed: a run killed mid-write leaves no half file for the next to read.
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, JSON.stringify({ text: completion.text, model: completion.model, ...(completion.usage ? { usage: completion.usage } : {}) }));
    await rename(partial, file);
    this.written += 1;
  }
}

/** Deletes the least recently used entries until the folder holds at most maxBytes; returns how many went. */
export async function pruneCompletionStore(directory: string, maxBytes: number): Promise<number> {
  const entries: { file: string; bytes: number; usedAt: number }[] = [];
  const shards = await readdir(directory).catch(() => [] as string[]);
  for (const shard of shards) {
    const names = await readdir(path.join(directory, shard)).catch(() => [] as string[]);
    for (const name of names) {
      const file = path.join(directory, shard, name);
      const info = await stat(file).catch(() => undefined);
      if (info?.isFile()) entries.push({ file, bytes: info.size, usedAt: info.mtimeMs });
    }
  }
  let total = entries.reduce((sum, entry) => sum + entry.bytes, 0);
  let removed = 0;
  for (const entry of entries.sort((a, b) => a.usedAt - b.usedAt)) {
    if (total <= maxBytes) break;
    await rm(entry.file, { force: true });
    total -= entry.bytes;
    removed += 1;
  }
  return removed;
}
