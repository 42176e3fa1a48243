import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeUtf8, invalidUtf8Offset, readConfigFile, unwritableDirectory } from "../../src/config/read-config-file.js";

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part))));

describe("invalidUtf8Offset", () => {
  it.each([
    ["a lone 0xff", bytes("features:\n", [0xff]), 10],
    ["a Latin-1 é after multibyte text", bytes("名前: caf", [0xe9], "\n"), 11],
    ["a truncated sequence", bytes("ok ", [0xe2, 0x82]), 3],
    ["an overlong slash", bytes("a", [0xc0, 0xaf]), 1],
    ["an encoded surrogate", bytes("ab", [0xed, 0xa0, 0x80]), 2],
    ["after a BOM and a real U+FFFD", bytes([0xef, 0xbb, 0xbf], "x\ufffd", [0x80]), 7],
  ])("finds %s", (_what, input, offset) => {
    expect(invalidUtf8Offset(input)).toBe(offset);
  });

  it("finds nothing in valid UTF-8, a BOM and a written U+FFFD included", () => {
    expect(invalidUtf8Offset(bytes([0xef, 0xbb, 0xbf], "日本語 🎉 \ufffd done"))).toBeUndefined();
  });
});

describe("decodeUtf8", () => {
  it("names the file, the byte, its offset and line", () => {
    expect(decodeUtf8("config: evals.yml", bytes("project: p\nfeatures: caf", [0xe9]))).toEqual({
      problem: "config: evals.yml: not valid UTF-8: byte 0xe9 at offset 24 (line 2); save the file as UTF-8",
    });
  });

  it("returns the text of valid UTF-8", () => {
    expect(decodeUtf8("x", bytes("é ✓"))).toEqual({ text: "é ✓" });
  });
});

describe("readConfigFile and unwritableDirectory", () => {
  it("tells a missing file, a directory and a good file apart", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "opik-config-file-"));
    await mkdir(path.join(dir, "evals.yml"));
    await writeFile(path.join(dir, "good.yml"), "features: {}\n");
    expect(await readConfigFile("config: none.yml", path.join(dir, "none.yml"))).toEqual({ missing: true });
    expect(await readConfigFile("config: evals.yml", path.join(dir, "evals.yml"))).toEqual({
      problem: `config: evals.yml: is a directory (${path.join(dir, "evals.yml")}); expected a YAML or JSON file`,
    });
    expect(await readConfigFile("config: good.yml", path.join(dir, "good.yml"))).toEqual({ text: "features: {}\n" });
    expect(await unwritableDirectory(path.join(dir, "result.json"))).toBeUndefined();
    expect(await unwritableDirectory(path.join(dir, "missing", "result.json"))).toBe(`directory ${path.join(dir, "missing")} does not exist`);
    expect(await unwritableDirectory(path.join(dir, "good.yml", "result.json"))).toBe(`${path.join(dir, "good.yml")} is not a directory`);
  });
});
