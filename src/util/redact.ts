/** A URL as it may appear in a log: gateways sometimes take a key as user info or a query parameter. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(invalid URL)";
  }
}

/** Replaces every occurrence of `secret` in `text`; keys too short to be real are left alone to avoid mangling the text. */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 6) return text;
  return text.split(secret).join("***");
}
