import type { Io } from '../io.ts';

/** Prints either the JSON value (with --json) or the human rendering. */
export function print(io: Io, json: boolean, value: unknown, human: () => string): void {
  io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : human());
}
