import { connect } from 'node:tls';
import { HttpSession } from '@ssohub/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';

type LogLine = { level: number; reqId?: string; msg: string; err?: { type?: string; message?: string } };

// The hub in front of the real Kratos, fed what a fuzzer sends: addresses that are not valid
// percent-encoding, and clients that close or half-close their connection while the hub proxies
// their submission. Neither is a failure of the hub: never a 500, never an error-level line.
describe('the Kratos proxy and faulty clients, with the real Kratos', () => {
  let stack: HubStack;
  const lines: LogLine[] = [];
  beforeAll(async () => {
    stack = await startHubStack({ log: { level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } } });
  });
  afterAll(async () => stack?.stop());

  it.each(['/self-service/login/browser?x=%zz', '/self-service/registration/flows?id=%E0%A4%A', '/self-service/registration/browser?return_to=%zz'])(
    'answers %s with the hub 400, logged at info',
    async (path) => {
      const res = await fetch(`${stack.hubUrl}${path}`, { headers: { accept: 'application/json' }, redirect: 'manual' });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; status: number; requestId: string } };
      expect(body.error).toMatchObject({ code: 'SSOHUB_ERR_BAD_REQUEST', status: 400 });
      expect(lines.filter((l) => l.reqId === body.error.requestId && l.level >= 50)).toEqual([]);
    },
  );

  it('refuses a path that is not valid percent-encoding with a 400 and no error line', async () => {
    const before = lines.filter((l) => l.level >= 50).length;
    const res = await fetch(`${stack.hubUrl}/self-service/login/browser%E0%A4%A`, { headers: { accept: 'application/json' }, redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(lines.filter((l) => l.level >= 50).length).toBe(before);
  });

  it('logs no error when clients close or half-close their connection during a sign-in submission', async () => {
    const browser = new HttpSession();
    const init = await browser.request(`${stack.hubUrl}/self-service/login/browser`, { follow: false });
    expect(init.status).toBe(303);
    const flowId = new URL(init.headers.get('location')!, stack.hubUrl).searchParams.get('flow');
    const cookie = browser.jar.all().map((c) => `${c.name}=${c.value}`).join('; ');
    const body = 'method=password&identifier=nobody%40example.test&password=not-the-password&csrf_token=x';
    const url = new URL(stack.hubUrl);
    const before = lines.filter((l) => l.level >= 50).length;
    // Left at staggered moments: before the body is read, while Kratos checks the password, after.
    await Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        const socket = connect({ host: '127.0.0.1', port: Number(url.port), servername: url.hostname, ca: inject('caPem') });
        socket.on('error', () => {});
        await new Promise<void>((r) => socket.once('secureConnect', () => r()));
        socket.write(
          `POST /self-service/login?flow=${flowId} HTTP/1.1\r\nhost: ${url.host}\r\ncookie: ${cookie}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
        );
        await new Promise((r) => setTimeout(r, i * 10));
        if (i % 2) socket.end();
        else socket.destroy();
      }),
    );
    // Kratos answers every submission within this, and the hub then drops what nobody waits for.
    await new Promise((r) => setTimeout(r, 1500));
    expect(lines.filter((l) => l.level >= 50).slice(before)).toEqual([]);
    // The hub still serves the clients that stay.
    expect((await fetch(`${stack.hubUrl}/self-service/login/browser`, { redirect: 'manual' })).status).toBe(303);
  });
});
