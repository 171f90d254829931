/**
 * One cookie's value from a raw Cookie header, for hooks that run before @fastify/cookie has
 * parsed it (the hub request's language sources, the trace cookie): undefined when absent or not
 * valid percent-encoding.
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(pair.slice(at + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
