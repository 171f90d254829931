// The home page as a route handler (a real app renders app/page.tsx and reads the session the
// same way): who is signed in, with the email and name the SDK asked userinfo for at sign-in.
import { escapeHtml } from '@ssohub/client';
import { sso } from '../lib/sso.ts';

const page = (body: string) =>
  new Response(`<!doctype html><title>Next.js app</title>${body}`, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });

export async function GET(request: Request): Promise<Response> {
  const session = await sso.getSession(request);
  if (!session) return page('<p data-testid="anonymous">Not signed in. <a href="/auth/login">Sign in</a></p>');
  const { email, name, sub } = session.claims;
  return page(`<p data-testid="user">Signed in as <strong>${escapeHtml(String(email ?? sub))}</strong> (${escapeHtml(String(name ?? ''))})</p>
<p><a href="/api/me">/api/me</a></p>
<form method="post" action="/auth/logout/global"><button>Sign out everywhere</button></form>`);
}
