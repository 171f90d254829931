import type { HubContext } from '../hub-context.ts';

/** The hub's configuration as the doctor shows it: every fact, no secret (keys are only counted). */
export function summarizeConfig(ctx: HubContext) {
  const c = ctx.config;
  return {
    mode: c.mode,
    publicUrl: c.publicUrl,
    issuer: ctx.bridge.issuer,
    listen: { host: c.listen.host, port: c.listen.port, tls: c.listen.tls !== undefined },
    admin: { host: c.admin.host, port: c.admin.port, tokenConfigured: c.admin.token !== undefined },
    kratos: { publicUrl: c.kratos.publicUrl, adminUrl: c.kratos.adminUrl, configFiles: [...c.kratos.configFiles], sessionCookieName: c.kratos.sessionCookieName },
    store: ctx.storage.description,
    allowedReturnOrigins: [...c.allowedReturnOrigins],
    trustProxy: c.trustProxy,
    logLevel: c.logLevel,
    bridge: {
      path: c.bridge.path,
      cookieKeys: c.bridge.cookieKeys.length,
      signingKeys: c.bridge.signingKeys.length,
      staticClients: c.bridge.clients.length,
      requireVerifiedEmail: c.bridge.requireVerifiedEmail,
    },
  };
}
