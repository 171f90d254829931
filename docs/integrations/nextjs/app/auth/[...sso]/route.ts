// Every SDK route under /auth: GET /auth/login and /auth/callback, POST /auth/logout and
// /auth/logout/global (the back-channel endpoint is app/auth/backchannel-logout/route.ts, which
// Next.js routes before this catch-all; without that file this route answers it too).
import { sso } from '../../../lib/sso.ts';

async function answer(request: Request): Promise<Response> {
  return (await sso.handle(request)) ?? new Response('Not found', { status: 404 });
}

export { answer as GET, answer as POST };
