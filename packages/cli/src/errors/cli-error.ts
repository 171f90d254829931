import { EXIT, type ExitCode } from './exit-codes.ts';

/** CliError ends a command with a message that says what to do, and a documented exit code. */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: ExitCode;
  /** The hub's error code when the hub answered, e.g. SSOHUB_ERR_VALIDATION. */
  readonly code: string;
  constructor(exitCode: ExitCode, message: string, { code, cause }: { code?: string; cause?: unknown } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.exitCode = exitCode;
    this.code = code ?? codeFor(exitCode);
  }
}

function codeFor(exitCode: ExitCode): string {
  const name = Object.entries(EXIT).find(([, v]) => v === exitCode)?.[0] ?? 'FAILED';
  return `SSOHUB_CLI_${name}`;
}

/** The exit code for an HTTP status the admin API answered with. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 400 || status === 422) return EXIT.USAGE;
  if (status === 401 || status === 403) return EXIT.AUTH;
  if (status === 404) return EXIT.NOT_FOUND;
  if (status === 409) return EXIT.CONFLICT;
  return EXIT.CHECK_FAILED;
}
