const SECRET_PARAMS = /^(code|state|nonce|code_verifier|code_challenge|access_token|refresh_token|id_token|id_token_hint|logout_token|client_secret|token|password|csrf_token|flow)$/i;

/** Replaces secret query/form values in a URL with `[redacted]`, keeping the parameter names as evidence. */
export function redactUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return input;
  }
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_PARAMS.test(key)) url.searchParams.set(key, '[redacted]');
  }
  // Interaction uids bind a sign-in in progress; fragments can carry implicit-flow tokens.
  url.pathname = url.pathname.replace(/\/(interaction|auth)\/[A-Za-z0-9_-]{16,}/g, '/$1/[uid]');
  if (url.hash) url.hash = '[redacted]';
  return url.toString().replaceAll('%5Bredacted%5D', '[redacted]').replaceAll('%5Buid%5D', '[uid]');
}

/** Keeps a Set-Cookie header's name and attributes, drops its value. */
export function redactSetCookie(header: string): string {
  const [pair = '', ...attrs] = header.split(';');
  const name = pair.split('=')[0]?.trim() ?? '';
  return [`${name}=[redacted]`, ...attrs.map((a) => a.trim())].join('; ');
}

/** Redacts form or JSON bodies field by field. */
export function redactFields(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${SECRET_PARAMS.test(k) || /secret|password|token/i.test(k) ? '[redacted]' : v}`)
    .join('&');
}
