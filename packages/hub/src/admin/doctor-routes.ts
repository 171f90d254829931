import type { FastifyInstance } from 'fastify';
import { runDoctor } from '../doctor/run-doctor.ts';
import type { HubContext } from '../hub-context.ts';

/**
 * /admin/doctor: the server-side facts and checks of `ssohub doctor`. POST may carry
 * `{ "kratosDsnEnv": "...", "kratosSessionCookieEnv": "..." }`, Kratos' DSN and
 * SESSION_COOKIE_NAME variables as the caller sees them, since the hub cannot read another
 * process's environment; the DSN is classified and shown redacted, neither is stored.
 */
export function registerDoctorRoutes(admin: FastifyInstance, ctx: HubContext): void {
  admin.get('/admin/doctor', async () => runDoctor(ctx));
  admin.post('/admin/doctor', async (request) => {
    const body = (request.body ?? {}) as { kratosDsnEnv?: unknown; kratosSessionCookieEnv?: unknown };
    const given = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    return runDoctor(ctx, { envDsn: given(body.kratosDsnEnv), envSessionCookie: given(body.kratosSessionCookieEnv) });
  });
}
