/**
 * ISO-8601 instants as Java's `Instant.parse` accepts them (what the backend uses for
 * request bodies and date filters): a full date, a time with optional seconds and up to
 * nine fraction digits, and `Z` or a `±HH:MM` offset.
 */
const INSTANT_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

export interface ParsedInstant {
  /** Milliseconds since the epoch, fraction included (sub-millisecond precision kept). */
  readonly millis: number;
  /** Canonical UTC form, formatted like `Instant.toString()`. */
  readonly iso: string;
}

export function parseInstant(text: string): ParsedInstant | undefined {
  const match = INSTANT_PATTERN.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = "00", fraction = "", zone = "Z"] = match;
  const wholeSeconds = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${zone}`);
  if (Number.isNaN(wholeSeconds)) return undefined;
  // Date.parse rolls 2024-02-31 over to March; Java rejects it, and so do we.
  const check = new Date(Date.parse(`${year}-${month}-${day}T00:00:00Z`));
  if (check.getUTCDate() !== Number(day)) return undefined;

  const nanos = Number(fraction.padEnd(9, "0"));
  const seconds = new Date(wholeSeconds).toISOString().slice(0, 19);
  return { millis: wholeSeconds + nanos / 1e6, iso: `${seconds}${formatFraction(nanos)}Z` };
}

function formatFraction(nanos: number): string {
  if (nanos === 0) return "";
  if (nanos % 1_000_000 === 0) return `.${String(nanos / 1_000_000).padStart(3, "0")}`;
  if (nanos % 1_000 === 0) return `.${String(nanos / 1_000).padStart(6, "0")}`;
  return `.${String(nanos).padStart(9, "0")}`;
}

export function instantMillis(iso: string): number {
  return parseInstant(iso)?.millis ?? Number.NaN;
}

export function nowIso(): string {
  return new Date().toISOString();
}
