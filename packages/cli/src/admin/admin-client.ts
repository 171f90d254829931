import { CliError, exitCodeForStatus } from '../errors/cli-error.ts';
import { EXIT } from '../errors/exit-codes.ts';

export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:8081';
const TIMEOUT_MS = 15_000;

export interface AdminClientOptions {
  adminUrl: string;
  token: string | undefined;
  actor: string | undefined;
}

/**
 * AdminClient calls the hub's admin API. Failures become CliErrors carrying the hub's message
 * and the documented exit code (404 → 3, 401 → 4, no answer → 5, ...).
 */
export class AdminClient {
  readonly adminUrl: string;
  private readonly token: string | undefined;
  private readonly actor: string | undefined;

  constructor({ adminUrl, token, actor }: AdminClientOptions) {
    this.adminUrl = adminUrl.replace(/\/+$/, '');
    this.token = token;
    this.actor = actor;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.token) {
      throw new CliError(EXIT.AUTH, 'no admin token: set SSOHUB_ADMIN_TOKEN (or pass --token) to the hub\'s admin.token');
    }
    let res: Response;
    try {
      res = await fetch(`${this.adminUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.actor ? { 'x-ssohub-actor': this.actor } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
      const reason = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (err as Error).message;
      throw new CliError(
        EXIT.UNREACHABLE,
        `cannot reach the admin API at ${this.adminUrl} (${reason}): start the hub, or point --admin-url / SSOHUB_ADMIN_URL at its admin listener`,
        { cause: err },
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      throw new CliError(EXIT.CHECK_FAILED, `the admin API at ${this.adminUrl} answered ${res.status} with something other than JSON: is --admin-url the hub's admin listener?`);
    }
    if (!res.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; requestId?: string } }).error;
      const message = error?.message ?? `the admin API answered ${res.status}`;
      const reference = res.status >= 500 && error?.requestId ? ` (reference ${error.requestId} in the hub's log)` : '';
      throw new CliError(exitCodeForStatus(res.status), `${message}${reference}`, { ...(error?.code ? { code: error.code } : {}) });
    }
    return parsed as T;
  }
}
