import { httpRequest } from './audit-http.ts';
import type { Evidence } from './report.ts';
import { redactFields, redactSetCookie, redactUrl } from './redact.ts';

export interface ProbeResponse {
  status: number;
  headers: Headers;
  location: string | undefined;
  body: string;
  evidence: Evidence;
}

/**
 * Probe sends one HTTP request without following redirects and returns the answer together with
 * a redacted evidence line, so every verdict in the report can show what was actually seen.
 */
export async function probe(
  url: string,
  init: { method?: string; form?: Record<string, string>; headers?: Record<string, string>; basic?: [string, string] } = {},
): Promise<ProbeResponse> {
  const headers: Record<string, string> = { accept: 'text/html,application/json;q=0.9', ...init.headers };
  let body: string | undefined;
  if (init.form) {
    body = new URLSearchParams(init.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  if (init.basic) {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(init.basic[0])}:${encodeURIComponent(init.basic[1])}`).toString('base64')}`;
  }
  const method = init.method ?? (body ? 'POST' : 'GET');
  const res = await httpRequest(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = res.body;
  const location = res.headers.get('location') ?? undefined;
  const cookies = res.headers.getSetCookie().map(redactSetCookie);
  const answer = [
    `${res.status}`,
    location ? `Location: ${redactUrl(new URL(location, url).toString())}` : '',
    ...cookies.map((c) => `Set-Cookie: ${c}`),
    errorOf(text),
  ]
    .filter(Boolean)
    .join('\n');
  return {
    status: res.status,
    headers: res.headers,
    location: location ? new URL(location, url).toString() : undefined,
    body: text,
    evidence: {
      request: `${method} ${redactUrl(url)}${init.form ? `\n${redactFields(init.form)}` : ''}`,
      answer,
    },
  };
}

/** Pulls an OAuth error code out of a JSON or HTML answer, for the evidence line. */
function errorOf(text: string): string {
  try {
    const json = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    if (typeof json.error === 'string') return `error=${json.error}${json.error_description ? ` (${String(json.error_description).slice(0, 120)})` : ''}`;
  } catch {
    // not JSON
  }
  const m = /\b(invalid_[a-z_]+|unauthorized_client|access_denied|login_required|unsupported_[a-z_]+)\b/.exec(text);
  return m ? `error=${m[1]}` : '';
}
