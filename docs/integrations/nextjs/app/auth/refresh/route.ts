// The recipe's own route (an app needs none: getAccessToken refreshes when the access token is
// about to expire): refreshes now and answers whether the hub rotated the refresh token.
import { isSsoClientError } from '@ssohub/client';
import { client, sso } from '../../../lib/sso.ts';

export async function POST(request: Request): Promise<Response> {
  if (!client.isSameOrigin(request.headers.get('origin') ?? undefined, request.headers.get('sec-fetch-site') ?? undefined)) {
    return Response.json({ error: 'cross_origin' }, { status: 403 });
  }
  const session = await sso.getSession(request);
  if (!session) return Response.json({ error: 'session_required' }, { status: 401 });
  try {
    const next = await client.refreshSession(session);
    const rotated = next.tokens.refreshToken !== undefined && next.tokens.refreshToken !== session.tokens.refreshToken;
    return Response.json({ refreshed: true, rotated }, { headers: { 'cache-control': 'no-store' } });
  } catch (err) {
    // A refused refresh ended the session.
    if (isSsoClientError(err) && err.status === 401) return Response.json({ error: 'session_required' }, { status: 401 });
    throw err;
  }
}
