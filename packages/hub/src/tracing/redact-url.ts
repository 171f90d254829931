/** A URL as it may be logged: without credentials or query (an OTLP endpoint may carry either). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '[not a URL]';
  }
}
