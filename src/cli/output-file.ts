/** Reads a GITHUB_OUTPUT file: `name=value` lines and `name<<DELIMITER` blocks, as the runner does. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? "";
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block?.[1] && block[2]) {
      const value: string[] = [];
      for (i += 1; i < lines.length && lines[i] !== block[2]; i += 1) value.push(lines[i] ?? "");
      outputs[block[1]] = value.join("\n");
    } else if (line.includes("=")) {
      const at = line.indexOf("=");
      outputs[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return outputs;
}
