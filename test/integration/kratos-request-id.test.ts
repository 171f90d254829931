// Issue 22 (logs): the hub's request id reaches Kratos on every call made for a request, proxied
// or the hub's own, and Kratos logs it with the request, so an operator finds both sides of one
// request by one id.
import { HttpSession } from '@ssohub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';

type KratosLine = { msg?: string; http_request?: { path?: string; headers?: Record<string, string> } };

describe('the request id on the way to Kratos', () => {
  let stack: HubStack;
  const hubLines: string[] = [];
  const kratosLines: string[] = [];
  beforeAll(async () => {
    stack = await startHubStack({
      log: { level: 'info', destination: { write: (line: string) => void hubLines.push(line) } },
      kratosLog: (line) => kratosLines.push(line),
    });
  });
  afterAll(async () => stack?.stop());

  /** The request id of the hub's request to `path` (its "incoming request" line). */
  function hubRequestId(path: string): string {
    const line = hubLines
      .map((l) => JSON.parse(l) as { msg?: string; reqId?: string; req?: { path?: string } })
      .findLast((l) => l.msg === 'incoming request' && l.req?.path === path);
    expect(line?.reqId, `no hub request to ${path}`).toBeTypeOf('string');
    return line!.reqId!;
  }

  /** Kratos' request log lines that carry `id` as X-Request-Id (waiting a little for its output). */
  async function kratosLinesFor(id: string): Promise<KratosLine[]> {
    const find = () =>
      kratosLines
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as KratosLine)
        .filter((l) => l.http_request?.headers?.['x-request-id'] === id);
    for (let i = 0; i < 50 && !find().some((l) => l.msg === 'completed handling request'); i++) await new Promise((r) => setTimeout(r, 100));
    return find();
  }

  it("forwards the id through the proxy and on the hub's own calls, and Kratos logs it", async () => {
    const browser = new HttpSession();
    // Proxied: the browser starts a login flow at Kratos through the hub.
    const init = await browser.request(`${stack.hubUrl}/self-service/login/browser`, { follow: false });
    expect(init.status).toBe(303);
    const proxied = hubRequestId('/self-service/login/browser');
    const proxiedAtKratos = await kratosLinesFor(proxied);
    expect(proxiedAtKratos.map((l) => l.msg)).toContain('completed handling request');
    expect(proxiedAtKratos[0]!.http_request!.path).toBe('/self-service/login/browser');

    // The hub's own call: the login page reads the flow from Kratos.
    const page = await browser.request(init.headers.get('location')!, { follow: false });
    expect(page.status).toBe(200);
    const own = hubRequestId('/login');
    expect(own).not.toBe(proxied);
    const ownAtKratos = await kratosLinesFor(own);
    expect(ownAtKratos.map((l) => l.http_request!.path)).toContain('/self-service/login/flows');
  });

  it("sends the hub's id, never one the browser chose", async () => {
    const res = await fetch(`${stack.hubUrl}/self-service/login/browser`, { redirect: 'manual', headers: { 'x-request-id': 'chosen-by-the-browser' } });
    expect(res.status).toBe(303);
    expect(await kratosLinesFor(hubRequestId('/self-service/login/browser'))).not.toEqual([]);
    expect(kratosLines.some((l) => l.includes('chosen-by-the-browser'))).toBe(false);
  });
});
