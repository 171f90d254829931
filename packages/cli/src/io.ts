/** Where the CLI writes and what environment it reads; injected so tests run it in-process. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** The operator's name for the audit trail (default: the OS user). */
  user: string | undefined;
}
