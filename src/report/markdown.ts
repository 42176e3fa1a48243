/** Markdown helpers that keep user-controlled text from breaking the page. */

const ZWSP = "\u200b";
/** C0/C1 controls other than tab and newline, and the bidi overrides that make text read other than it is stored. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Cuts to at most `maxLength` UTF-16 units without splitting a surrogate pair, marking the cut with "…". */
export function cut(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  if (maxLength <= 0) return "";
  let end = maxLength - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * One line, controls blanked. Span text can run to megabytes, so only a
 * generous head is normalized: whitespace runs collapse, so the head is
 * several times the length that will be kept.
 */
function collapse(text: string, maxLength: number): string {
  const room = maxLength * 4 + 1000;
  const head = text.length > room ? `${text.slice(0, room)}…` : text;
  return head.replace(INVISIBLE_CONTROLS, " ").replace(/\s+/g, " ").trim();
}

/** Mentions and issue references that would ping or link, broken with a zero-width space. */
function defuseReferences(text: string): string {
  return text.replace(/@(?=\w)/g, `@${ZWSP}`).replace(/#(?=\d)/g, `#${ZWSP}`);
}

/** Escapes text for a table cell: no raw HTML, no table breaks, no pinging mentions, one line, bounded length. */
export function escapeCell(text: string, maxLength = 200): string {
  const oneLine = collapse(text, maxLength);
  // Backslashes first: a "\" before an escaped "|" would escape the escape and split the cell.
  return defuseReferences(
    cut(oneLine, maxLength)
      .replaceAll("\\", "\\\\")
      .replaceAll("&", "&amp;")
      .replaceAll("<", "&lt;")
      .replaceAll(">", "&gt;")
      .replaceAll("|", "\\|")
      .replaceAll("`", "\\`"),
  );
}

/** escapeCell, and no links or images either: for prose built from span or judge text. */
export function escapeInline(text: string, maxLength = 200): string {
  return escapeCell(text, maxLength).replaceAll("[", "\\[").replaceAll("]", "\\]").replaceAll("*", "\\*").replaceAll("_", "\\_");
}

/** One line of text for an HTML context such as `<summary>`, where markdown escapes would show as typed. */
export function escapeHtmlText(text: string, maxLength = 200): string {
  const oneLine = collapse(text, maxLength);
  return defuseReferences(cut(oneLine, maxLength).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;"));
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export function formatScore(value: number | null): string {
  return value === null ? "–" : value.toFixed(3);
}

/**
 * A fenced block of untrusted text. Inside a fence HTML is shown, not run;
 * what could still escape is a run of three backticks, which would close the
 * fence early, so every such run is broken up, and so is an HTML comment
 * opener, which could carry a forged sticky-comment marker.
 */
export function codeBlock(text: string, maxLength: number, language = "text"): string {
  const clean = defuseReferences(
    cut(
      cut(text, maxLength * 2)
        .replace(/\r\n?/g, "\n")
        .replace(INVISIBLE_CONTROLS, ""),
      maxLength,
    )
      .replace(/`{3,}/g, (run) => run.split("").join(ZWSP))
      // A copied sticky-comment marker would let another job's lookup find (and overwrite) this comment.
      .replaceAll("<!--", `<${ZWSP}!--`),
  );
  return `\`\`\`${language}\n${clean.trimEnd() || " "}\n\`\`\``;
}

/** A collapsed section; `summary` must already be escaped. Blank lines let markdown render inside. */
export function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body.trim()}\n\n</details>`;
}

/** A link to an http(s) URL, or just the text when the URL is not one. */
export function link(text: string, url: string | undefined): string {
  const safe = safeUrl(url);
  return safe ? `[${text}](${safe})` : text;
}

export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return undefined;
    return parsed.href.replaceAll("(", "%28").replaceAll(")", "%29").replaceAll(" ", "%20").replaceAll("<", "%3C").replaceAll(">", "%3E");
  } catch {
    return undefined;
  }
}

export interface FitOptions {
  limit: number;
  /** Size as the destination counts it: characters for comments, bytes for the job summary. */
  measure: (text: string) => number;
  /** Appended after the cut, never cut itself (the sticky comment's marker). */
  tail?: string;
  notice?: string;
}

export const measureChars = (text: string): number => text.length;
export const measureBytes = (text: string): number => Buffer.byteLength(text, "utf8");

/**
 * Cuts markdown at a line boundary so that it, the notice and the tail fit
 * the limit, closing whatever the cut leaves open: a code fence, then any
 * `<details>` blocks, so the rest of the page renders as intended.
 */
export function fitMarkdown(markdown: string, options: FitOptions): string {
  const tail = options.tail ? `\n${options.tail}` : "";
  const whole = `${markdown}${tail}`;
  if (options.measure(whole) <= options.limit) return whole;
  const notice = `\n\n${options.notice ?? "_… cut to fit GitHub's size limit._"}\n`;
  const fixedSize = options.measure(notice) + options.measure(tail);
  const lines = markdown.split("\n");
  const state: BlockState = { fence: undefined, openDetails: 0 };
  let size = 0;
  let best = { count: 0, closers: "" };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    size += options.measure(line) + 1;
    track(state, line);
    const closers = closersFor(state);
    if (size + options.measure(closers) + fixedSize > options.limit) break;
    best = { count: i + 1, closers };
  }
  return `${lines.slice(0, best.count).join("\n")}${best.closers}${notice}${tail.replace(/^\n/, "")}`;
}

interface BlockState {
  fence: string | undefined;
  openDetails: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

function track(state: BlockState, line: string): void {
  const fence = FENCE.exec(line)?.[1];
  if (state.fence) {
    if (fence && fence[0] === state.fence[0] && fence.length >= state.fence.length && line.trim() === fence) state.fence = undefined;
    return;
  }
  if (fence) {
    state.fence = fence;
    return;
  }
  state.openDetails += (line.match(/<details[\s>]/gi)?.length ?? 0) - (line.match(/<\/details>/gi)?.length ?? 0);
  state.openDetails = Math.max(0, state.openDetails);
}

function closersFor(state: BlockState): string {
  return `${state.fence ? `\n${state.fence}` : ""}${"\n\n</details>".repeat(state.openDetails)}`;
}
