import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, reservePort } from '../src/free-port.ts';

describe('free ports', () => {
  it('never hands out the same port twice in one process, even when the kernel offers it again', async () => {
    const ports = [];
    for (let i = 0; i < 200; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('holds reserved ports until released, then the server meant for them can listen', async () => {
    const [a, b] = [await reservePort(), await reservePort()];
    expect(a.port).not.toBe(b.port);
    const taken = createServer();
    await expect(new Promise((resolve, reject) => taken.once('error', reject).listen(a.port, '127.0.0.1', () => resolve(undefined)))).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    await Promise.all([a.release(), b.release()]);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(a.port, '127.0.0.1', () => resolve()));
    await new Promise((resolve) => server.close(resolve));
  });
});
