import type { StoreClient } from './redis-client.ts';
import { isStoreUnavailable, StoreUnavailableError } from './store-unavailable.ts';

// The commands ioredis sends to (re)establish a connection: they must always reach Redis, or a
// recovering connection would be refused its own handshake.
const HANDSHAKE = new Set(['auth', 'select', 'info', 'ping', 'client', 'hello', 'readonly', 'cluster', 'sentinel', 'role', 'quit']);

interface CommandLike {
  name: string;
  promise: Promise<unknown>;
  reject(err: Error): void;
}

/** The buffer a pipeline (and so every auto-pipelined command) hands sendCommand. */
interface PipelineStream {
  isPipeline?: boolean;
  write(chunk: string): void;
}

/**
 * Once a command has failed for want of Redis (timed out, connection closed or refused: see
 * isStoreUnavailable), refuses the store's commands at once for `windowMs` instead of letting
 * each wait out its own timeout or sit in the reconnect queue. A request that touches Redis several times in a row
 * would otherwise fail only after the sum of those timeouts (two reads against a frozen Redis:
 * 3 s), and every request arriving meanwhile would queue behind the dead socket. After the
 * window the next command is sent again: the first answer ends the outage, another timeout
 * opens a new window. Handshake commands always pass. Under Cluster the window covers every
 * node: the hub's keys share one hash slot (store.prefix), so they live on one master anyway.
 */
export function failFastAfterTimeout(client: StoreClient, windowMs: number, now: () => number = Date.now): void {
  let refuseUntil = 0;
  const send = client.sendCommand.bind(client) as (command: CommandLike, ...rest: unknown[]) => unknown;
  (client as unknown as { sendCommand: typeof send }).sendCommand = (command, ...rest) => {
    if (refuseUntil > now() && !HANDSHAKE.has(command.name)) {
      // A pipeline sends its buffer once every command of it has written to it: a refused one
      // must still count, or the others (auto-pipelined PINGs included) would never be sent
      // while already waiting for replies, and the connection would answer nothing again.
      const stream = rest[0] as PipelineStream | undefined;
      if (stream?.isPipeline) stream.write('');
      command.reject(new StoreUnavailableError(`Redis failed moments ago; ${command.name} refused without waiting (the store is retried within ${windowMs} ms)`));
      return command.promise;
    }
    command.promise.catch((err: Error) => {
      if (isStoreUnavailable(err)) refuseUntil = now() + windowMs;
    });
    return send(command, ...rest);
  };
}
