import type { FastifyInstance } from 'fastify';
import { runDoctor } from '../doctor/run-doctor.ts';
import type { HubContext } from '../hub-context.ts';

/**
 * /admin/doctor: the server-side facts and checks of `ssohub doctor`. POST may carry
 * `{ "kratosDsnEnv": "..." }`, Kratos' DSN variable as the caller sees it, since the hub cannot
 * read another process's environment; it is classified and shown redacted, never stored.
 */
export function registerDoctorRoutes(admin: FastifyInstance, ctx: HubContext): void {
  admin.get('/admin/doctor', async () => runDoctor(ctx));
  admin.post('/admin/doctor', async (request) => {
    const body = (request.body ?? {}) as { kratosDsnEnv?: unknown };
    const envDsn = typeof body.kratosDsnEnv === 'string' && body.kratosDsnEnv !== '' ? body.kratosDsnEnv : undefined;
    return runDoctor(ctx, { envDsn });
  });
}
