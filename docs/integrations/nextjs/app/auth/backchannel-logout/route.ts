// The hub POSTs logout_token here (register APP_URL/auth/backchannel-logout). The catch-all
// route would answer it as well; this route exists only to log how many sessions a logout token
// ended, which the handler's Response does not say. Same 64 KiB limit as the handler.
import { isSsoClientError } from '@ssohub/client';
import { client } from '../../../lib/sso.ts';

const MAX_BODY = 64 * 1024;

export async function POST(request: Request): Promise<Response> {
  const form = (request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
  const body = form ? await request.text() : undefined;
  if (body !== undefined && body.length > MAX_BODY) return Response.json({ error: 'invalid_request' }, { status: 400 });
  try {
    const result = await client.handleBackchannelLogout(body);
    if (result.status === 200) console.log(`back-channel logout ended ${result.ended} session(s)`);
    return new Response(result.body || null, { status: result.status, headers: result.headers });
  } catch (err) {
    // The hub's keys could not be fetched (503): nothing ended, and the hub retries.
    const status = isSsoClientError(err) ? err.status : 500;
    return Response.json({ error: 'temporarily_unavailable' }, { status, headers: { 'cache-control': 'no-store' } });
  }
}
