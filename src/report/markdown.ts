/** Markdown helpers that keep user-controlled text from breaking the page. */

/** Escapes text for a table cell: no raw HTML, no table breaks, no pinging mentions, one line, bounded length. */
export function escapeCell(text: string, maxLength = 200): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  const cut = oneLine.length > maxLength ? `${oneLine.slice(0, maxLength - 1)}…` : oneLine;
  return cut
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll("|", "\\|")
    .replaceAll("`", "\\`")
    .replace(/@(?=\w)/g, "@\u200b")
    .replace(/#(?=\d)/g, "#\u200b");
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export function formatScore(value: number | null): string {
  return value === null ? "–" : value.toFixed(3);
}
