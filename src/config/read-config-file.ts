import { readFile, stat } from "node:fs/promises";
import path from "node:path";

/** What reading a configuration file found: its text, or why there is none. */
export type ConfigFileRead = { text: string } | { missing: true } | { problem: string };

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
// Keeps a BOM as a character, so byte offsets computed from the decoded prefix stay exact.
const lossyUtf8 = new TextDecoder("utf-8", { ignoreBOM: true });
const REPLACEMENT = "\ufffd";

/**
 * The byte offset of the first byte that is not valid UTF-8, or undefined.
 * The lossy decoding is exact up to its first replacement character, so that
 * prefix's encoded length is the offset; a U+FFFD written in the file itself
 * (bytes EF BF BD) is skipped.
 */
export function invalidUtf8Offset(bytes: Uint8Array): number | undefined {
  const text = lossyUtf8.decode(bytes);
  for (let at = text.indexOf(REPLACEMENT); at !== -1; at = text.indexOf(REPLACEMENT, at + 1)) {
    const from = Buffer.byteLength(text.slice(0, at), "utf8");
    if (!(bytes[from] === 0xef && bytes[from + 1] === 0xbf && bytes[from + 2] === 0xbd)) return from;
  }
  return undefined;
}

function lineOf(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Decodes a file's bytes as UTF-8, refusing anything else with the offending byte's offset and line. */
export function decodeUtf8(name: string, bytes: Uint8Array): { text: string } | { problem: string } {
  try {
    return { text: strictUtf8.decode(bytes) };
  } catch {
    const offset = invalidUtf8Offset(bytes) ?? 0;
    const byte = (bytes[offset] ?? 0).toString(16).padStart(2, "0");
    return { problem: `${name}: not valid UTF-8: byte 0x${byte} at offset ${offset} (line ${lineOf(bytes, offset)}); save the file as UTF-8` };
  }
}

/**
 * Reads a configuration file named by an input. A missing file is not an
 * error here (the default path is optional); a directory, an unreadable file
 * or bytes that are not UTF-8 are, named by `name` as the user wrote it.
 */
export async function readConfigFile(name: string, file: string): Promise<ConfigFileRead> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { missing: true };
    if (code === "EISDIR") return { problem: `${name}: is a directory (${file}); expected a YAML or JSON file` };
    return { problem: `${name}: cannot be read (${file}: ${code ?? "unknown error"})` };
  }
  return decodeUtf8(name, bytes);
}

/** Why `file` could not be written where it is, or undefined when its directory exists. */
export async function unwritableDirectory(file: string): Promise<string | undefined> {
  const directory = path.dirname(path.resolve(file));
  try {
    const found = await stat(directory);
    return found.isDirectory() ? undefined : `${directory} is not a directory`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR"
      ? `directory ${directory} does not exist`
      : `directory ${directory} cannot be read (${code ?? "unknown error"})`;
  }
}
