/**
 * @file A stand-in hub on 127.0.0.1 that publishes discovery and an introspection endpoint whose
 * answer each test decides (status, JSON, a hang, a dropped connection), and records every call.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IntrospectionCall {
  token: string;
  tokenTypeHint: string | null;
  authorization: string | undefined;
}

/** What the stand-in answers: a status and a JSON (or text) body, a hang, or a dropped connection. */
export type StandInAnswer = { status?: number; json?: unknown; text?: string; contentType?: string } | 'hang' | 'drop';

export interface StandInHub {
  issuer: string;
  calls: IntrospectionCall[];
  /** Decides the answer for each introspection call. */
  answer: (call: IntrospectionCall) => StandInAnswer;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** startStandInHub starts the stand-in; `introspectionEndpoint` overrides the published endpoint (e.g. a closed port). */
export async function startStandInHub({ introspectionEndpoint }: { introspectionEndpoint?: string } = {}): Promise<StandInHub> {
  const hanging = new Set<{ destroy(): void }>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'GET' && req.url === '/.well-known/openid-configuration') {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            issuer: hub.issuer,
            authorization_endpoint: `${hub.issuer}/auth`,
            token_endpoint: `${hub.issuer}/token`,
            jwks_uri: `${hub.issuer}/jwks`,
            end_session_endpoint: `${hub.issuer}/session/end`,
            introspection_endpoint: introspectionEndpoint ?? `${hub.issuer}/token/introspection`,
            id_token_signing_alg_values_supported: ['RS256'],
          }),
        );
        return;
      }
      if (req.method === 'POST' && req.url === '/token/introspection') {
        const form = new URLSearchParams(await readBody(req));
        const call = { token: form.get('token') ?? '', tokenTypeHint: form.get('token_type_hint'), authorization: req.headers.authorization };
        hub.calls.push(call);
        const answer = hub.answer(call);
        if (answer === 'hang') {
          hanging.add(res.socket!);
          return;
        }
        if (answer === 'drop') {
          res.socket?.destroy();
          return;
        }
        res.statusCode = answer.status ?? 200;
        res.setHeader('content-type', answer.contentType ?? (answer.text === undefined ? 'application/json' : 'text/html'));
        res.end(answer.text ?? JSON.stringify(answer.json ?? {}));
        return;
      }
      res.statusCode = 404;
      res.end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hub: StandInHub = {
    issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: [],
    answer: () => ({ json: { active: false } }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of hanging) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return hub;
}
