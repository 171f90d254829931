import type { FastifyInstance } from 'fastify';
import { runDoctor } from '../doctor/run-doctor.ts';
import type { HubContext } from '../hub-context.ts';

/**
 * /admin/doctor: the server-side facts and checks of `ssohub doctor`. POST may carry
 * `{ "kratosDsnEnv": "...", "kratosSessionCookieEnv": "...", "kratosBaseUrlEnv": "..." }`,
 * Kratos' DSN, SESSION_COOKIE_NAME and SERVE_PUBLIC_BASE_URL variables as the caller sees them,
 * since the hub cannot read another process's environment; the DSN is classified and shown
 * redacted, none is stored.
 */
export function registerDoctorRoutes(admin: FastifyInstance, ctx: HubContext): void {
  admin.get('/admin/doctor', async () => runDoctor(ctx));
  admin.post('/admin/doctor', async (request) => {
    const body = (request.body ?? {}) as { kratosDsnEnv?: unknown; kratosSessionCookieEnv?: unknown; kratosBaseUrlEnv?: unknown };
    const given = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    return runDoctor(ctx, { envDsn: given(body.kratosDsnEnv), envSessionCookie: given(body.kratosSessionCookieEnv), envBaseUrl: given(body.kratosBaseUrlEnv) });
  });
}
