// An API route that calls another service for the user: here the hub's userinfo, with the
// session's access token (refreshed first when it is about to expire). Signed out: 401 JSON,
// never a redirect.
import { isSsoClientError } from '@ssohub/client';
import { client, sso } from '../../../lib/sso.ts';

export async function GET(request: Request): Promise<Response> {
  let accessToken: string;
  try {
    accessToken = await sso.getAccessToken(request);
  } catch (err) {
    // Signed out, or the refresh was refused (which ended the session).
    if (isSsoClientError(err) && err.status === 401) return Response.json({ error: 'session_required' }, { status: 401, headers: { 'cache-control': 'no-store' } });
    throw err;
  }
  const userinfo = client.configuration.serverMetadata().userinfo_endpoint!;
  const res = await fetch(userinfo, { headers: { authorization: `Bearer ${accessToken}` } });
  if (!res.ok) return Response.json({ error: 'upstream_failed', status: res.status }, { status: 502 });
  return Response.json(await res.json(), { headers: { 'cache-control': 'no-store' } });
}
