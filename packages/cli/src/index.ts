export { buildProgram, main } from './main.ts';
export { EXIT, type ExitCode } from './errors/exit-codes.ts';
export { CliError } from './errors/cli-error.ts';
export type { Io } from './io.ts';
export * from './isolation/index.ts';
