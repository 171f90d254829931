import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { runDoctor } from '../doctor/run-doctor.ts';
import type { HubContext } from '../hub-context.ts';
import { orNothing } from './admin-schemas.ts';

/**
 * What the caller saw in Kratos' environment; each is optional, and an empty one counts as unset.
 * Another field is refused: a misspelt `kratosDsn` would otherwise leave the report about the
 * file's DSN while the caller believed it about the variable's.
 */
const DoctorBody = orNothing(
  Type.Object(
    { kratosDsnEnv: Type.Optional(Type.String()), kratosSessionCookieEnv: Type.Optional(Type.String()), kratosBaseUrlEnv: Type.Optional(Type.String()) },
    { additionalProperties: false },
  ),
);

/**
 * /admin/doctor: the server-side facts and checks of `ssohub doctor`. POST may carry
 * `{ "kratosDsnEnv": "...", "kratosSessionCookieEnv": "...", "kratosBaseUrlEnv": "..." }`,
 * Kratos' DSN, SESSION_COOKIE_NAME and SERVE_PUBLIC_BASE_URL variables as the caller sees them,
 * since the hub cannot read another process's environment; the DSN is classified and shown
 * redacted, none is stored.
 */
export function registerDoctorRoutes(admin: FastifyInstance, ctx: HubContext): void {
  admin.get('/admin/doctor', async () => runDoctor(ctx));
  admin.post<{ Body: Static<typeof DoctorBody> }>('/admin/doctor', { schema: { body: DoctorBody } }, async (request) => {
    const body = request.body ?? {};
    const given = (v: string | undefined) => (v !== undefined && v !== '' ? v : undefined);
    return runDoctor(ctx, { envDsn: given(body.kratosDsnEnv), envSessionCookie: given(body.kratosSessionCookieEnv), envBaseUrl: given(body.kratosBaseUrlEnv) });
  });
}
