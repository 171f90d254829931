import type { FastifyInstance } from 'fastify';
import { WEBAUTHN_SCRIPT_PATH, WEBAUTHN_SCRIPT_SOURCE } from '../login/webauthn-script.ts';

/**
 * Serves the hub's passkey script (login/webauthn-script.ts) at its content-hashed address, so
 * it may be kept for good. Pages load it only with their answer's nonce and its integrity.
 */
export function registerWebAuthnScript(app: FastifyInstance): void {
  app.get(WEBAUTHN_SCRIPT_PATH, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=31536000, immutable').send(WEBAUTHN_SCRIPT_SOURCE),
  );
}
